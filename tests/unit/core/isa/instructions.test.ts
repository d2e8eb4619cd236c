import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { INSTRUCTIONS, lookup, type InstructionSpec } from '../../../../core/isa/instructions.js';
import { oracle } from '../../../helpers/oracles.js';

const as = oracle('riscv64-unknown-elf-as', 'binutils-riscv64-unknown-elf');
const objdump = oracle('riscv64-unknown-elf-objdump', 'binutils-riscv64-unknown-elf');

/** Deterministic PRNG so the sample encodings are the same on every run. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return s >>> 0;
  };
}

/** Random encodings of `spec` that the table decodes back to `spec` (rm forced to dyn). */
function samples(spec: InstructionSpec, next: () => number, count: number): number[] {
  const out: number[] = [];
  for (let tries = 0; out.length < count && tries < 1000; tries++) {
    let insn = ((next() & ~spec.mask) | spec.match) >>> 0;
    if (spec.length === 2) insn &= 0xffff;
    if (spec.hasRm) insn = (insn | (7 << 12)) >>> 0;
    // fcvt.d.s / fcvt.d.[w|wu] are exact: binutils 2.40 only decodes them with rm = 0.
    else if ((spec.extension === 'F' || spec.extension === 'D') && (spec.mask & 0x7000) === 0) insn = (insn & ~0x7000) >>> 0;
    if (lookup(insn) === spec) out.push(insn);
  }
  return out;
}

describe('instruction table', () => {
  it('has unique mnemonics and consistent mask/match', () => {
    const names = new Set<string>();
    for (const spec of INSTRUCTIONS) {
      expect(names.has(spec.name), spec.name).toBe(false);
      names.add(spec.name);
      expect((spec.match & ~spec.mask) >>> 0, spec.name).toBe(0);
      expect(spec.length === 4 ? (spec.match & 3) === 3 : (spec.match & 3) !== 3, spec.name).toBe(true);
    }
  });

  it('decodes every entry back to itself', () => {
    const next = rng(1);
    for (const spec of INSTRUCTIONS) expect(samples(spec, next, 1).length, spec.name).toBe(1);
  });

  it('treats reserved compressed encodings as illegal', () => {
    expect(lookup(0x0000)).toBeUndefined(); // all-zero halfword
    expect(lookup(0x0004)).toBeUndefined(); // c.addi4spn with nzuimm = 0
    expect(lookup(0x6101)).toBeUndefined(); // c.addi16sp with nzimm = 0
    expect(lookup(0x6081)).toBeUndefined(); // c.lui x1, 0
    expect(lookup(0x2001)).toBeUndefined(); // c.addiw x0
    expect(lookup(0x4002)).toBeUndefined(); // c.lwsp x0
    expect(lookup(0x8002)).toBeUndefined(); // c.jr x0
  });
});

describe.skipIf(!as.available || !objdump.available)('instruction table agrees with objdump', () => {
  it('names every sampled encoding as objdump -M no-aliases does', () => {
    const next = rng(12345);
    const lines: string[] = [];
    const expected: string[] = [];
    for (const spec of INSTRUCTIONS) {
      for (const insn of samples(spec, next, 4)) {
        lines.push(spec.length === 4 ? `.insn 4, 0x${insn.toString(16)}` : `.insn 2, 0x${insn.toString(16)}`);
        expected.push(spec.name);
      }
    }
    const dir = mkdtempSync(join(tmpdir(), 'isa-'));
    writeFileSync(join(dir, 't.s'), `.text\n${lines.join('\n')}\n`);
    execFileSync(as.path, ['-march=rv64gc_zba_zbb_zbc_zbs_zicsr_zifencei_zihintpause', '-o', join(dir, 't.o'), join(dir, 't.s')]);
    const dump = execFileSync(objdump.path, ['-d', '-M', 'no-aliases', join(dir, 't.o')], { encoding: 'utf8', maxBuffer: 1 << 26 });
    const got = dump
      .split('\n')
      .map((l) => /^\s+[0-9a-f]+:\s+[0-9a-f]+\s+(\S+)/.exec(l))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => m[1].replace(/\.(aqrl|aq|rl)$/, ''))
      // objdump's spellings of two encodings the spec names differently: C.NOP is c.addi x0, 0
      // and C.SRAI with shamt 0 (an RV64 HINT) is the RV128 c.srai64.
      .map((name) => (name === 'c.srai64' ? 'c.srai' : name === 'c.srli64' ? 'c.srli' : name));
    expect(got.length).toBe(expected.length);
    const mismatches = expected
      .map((e, k) => (e === got[k] || (e === 'c.nop' && got[k] === 'c.addi') ? '' : `${lines[k]}: table ${e}, objdump ${got[k]}`))
      .filter(Boolean);
    expect(mismatches).toEqual([]);
  });
});
