import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { disassemble, disassembleBytes } from '../../../../core/debug/disasm.js';
import { CSR_NAMES, INSTRUCTIONS, lookup, type InstructionSpec } from '../../../../core/isa/index.js';
import { oracle } from '../../../helpers/oracles.js';

const gcc = oracle('riscv64-unknown-elf-gcc', 'gcc-riscv64-unknown-elf');
const objdump = oracle('riscv64-unknown-elf-objdump', 'binutils-riscv64-unknown-elf');

/** Deterministic PRNG (mulberry32) so the encodings are the same every run. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

/**
 * Encodings objdump 2.40 treats differently from the hart on purpose (see core/debug/disasm.ts):
 * exact conversions with a non-zero rm field.
 */
function objdumpDiffers(spec: InstructionSpec, bits: number): boolean {
  return ['fcvt.d.s', 'fcvt.d.w', 'fcvt.d.wu'].includes(spec.name) && ((bits >>> 12) & 7) !== 0;
}

/** CSR numbers for the CSR instructions: mostly the ones the hart implements, so they get covered. */
const CSR_CHOICES = [...CSR_NAMES.keys(), 0x7c0, 0x5c0, 0xfff, 0x8ff];

/** Several encodings of every table entry: free bits all zero, all one, and random. */
function encodings(): { spec: InstructionSpec; bits: number }[] {
  const next = prng(0x5eed);
  const out: { spec: InstructionSpec; bits: number }[] = [];
  for (const spec of INSTRUCTIONS) {
    const width = spec.length === 4 ? 0xffff_ffff : 0xffff;
    const free = ~spec.mask & width;
    const candidates = [spec.match, (spec.match | free) >>> 0];
    for (let k = 0; k < 40; k++) candidates.push((spec.match | (next() & free)) >>> 0);
    if (spec.operands.includes('csr')) {
      for (let k = 0; k < candidates.length; k++) {
        const csr = CSR_CHOICES[next() % CSR_CHOICES.length];
        candidates[k] = ((candidates[k] & 0xfffff) | (csr << 20)) >>> 0;
      }
    }
    let kept = 0;
    for (const bits of candidates) {
      if (kept >= 12) break;
      if (lookup(bits) !== spec || objdumpDiffers(spec, bits)) continue;
      out.push({ spec, bits });
      kept++;
    }
  }
  return out;
}

/** Encodings that are not instructions, or are printed under another name by objdump. */
const EDGE_ENCODINGS: { bits: number; length: 2 | 4 }[] = [
  { bits: 0x0000, length: 2 }, // c.unimp
  { bits: 0x0001, length: 2 }, // c.nop
  { bits: 0x0501, length: 2 }, // c.addi a0,0 (HINT)
  { bits: 0x6001, length: 2 }, // c.lui zero,0: reserved
  { bits: 0x0002, length: 2 }, // c.slli64 zero
  { bits: 0x8101, length: 2 }, // c.srli64
  { bits: 0x8501, length: 2 }, // c.srai64
  { bits: 0x8002, length: 2 }, // c.jr zero: reserved
  { bits: 0x2001, length: 2 }, // c.addiw zero: reserved
  { bits: 0x9002, length: 2 }, // c.ebreak
  { bits: 0x0000000f, length: 4 }, // fence with empty sets
  { bits: 0x8ff0000f, length: 4 }, // fence with a reserved fm
  { bits: 0x00c5d553, length: 4 }, // fadd.s with reserved rm 5
  { bits: 0x00c5e553, length: 4 }, // rm 6
  { bits: 0xfff02573, length: 4 }, // unnamed CSR
  { bits: 0x0000005b, length: 4 }, // custom-2 opcode: not an instruction
  { bits: 0xfe000033, length: 4 },
];

interface ObjdumpLine {
  address: bigint;
  bits: number;
  text: string;
}

/** Parses objdump -d output: address, raw bits, instruction text minus `<symbol>` and `# comment`. */
function parseObjdump(output: string): ObjdumpLine[] {
  const lines: ObjdumpLine[] = [];
  for (const line of output.split('\n')) {
    const m = /^\s*([0-9a-f]+):\t([0-9a-f]+)\s+\t(.*)$/.exec(line);
    if (!m) continue;
    const text = m[3].replace(/\s+#.*$/, '').replace(/ <[^>]*>$/, '').trimEnd();
    lines.push({ address: BigInt(`0x${m[1]}`), bits: parseInt(m[2], 16), text });
  }
  return lines;
}

function objdumpOf(source: string): ObjdumpLine[] {
  const dir = mkdtempSync(join(tmpdir(), 'disasm-'));
  try {
    writeFileSync(join(dir, 'a.S'), source);
    const as = spawnSync(gcc.path, ['-c', '-march=rv64gc_zba_zbb_zbc_zbs_zihintpause', '-mabi=lp64d', 'a.S', '-o', 'a.o'], {
      cwd: dir,
      encoding: 'utf8',
    });
    if (as.status !== 0) throw new Error(as.stderr);
    const dump = spawnSync(objdump.path, ['-d', '-M', 'no-aliases', 'a.o'], { cwd: dir, encoding: 'utf8', maxBuffer: 1 << 28 });
    if (dump.status !== 0) throw new Error(dump.stderr);
    return parseObjdump(dump.stdout);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const insnDirective = (bits: number, length: 2 | 4): string =>
  `.insn ${length}, 0x${bits.toString(16).padStart(length * 2, '0')}`;

describe.skipIf(!gcc.available || !objdump.available)('disassembler agrees with objdump -M no-aliases', () => {
  it('prints every instruction in the table, in several operand patterns, exactly as objdump does', () => {
    const cases = encodings();
    const specsCovered = new Set(cases.map((c) => c.spec.name));
    expect(specsCovered.size).toBe(INSTRUCTIONS.length);
    const source = ['.option rvc', ...cases.map((c) => insnDirective(c.bits, c.spec.length))].join('\n');
    const dumped = objdumpOf(source);
    expect(dumped.length).toBe(cases.length);
    const mismatches = dumped
      .map((d) => ({ ...d, ours: disassemble(d.bits, d.address) }))
      .filter((d) => d.ours !== d.text)
      .map((d) => `${d.bits.toString(16)}: objdump '${d.text}' ours '${d.ours}'`);
    expect(mismatches).toEqual([]);
  });

  it('prints reserved, HINT and unknown encodings as objdump does', () => {
    const dumped = objdumpOf(['.option rvc', ...EDGE_ENCODINGS.map((e) => insnDirective(e.bits, e.length))].join('\n'));
    expect(dumped.map((d) => disassemble(d.bits, d.address))).toEqual(dumped.map((d) => d.text));
  });

  it('names every CSR number 0..4095 as objdump does', () => {
    const words = Array.from({ length: 4096 }, (_, csr) => ((csr << 20) | 0x2573) >>> 0); // csrrs a0,csr,zero
    const dumped = objdumpOf(['.option norvc', ...words.map((w) => insnDirective(w, 4))].join('\n'));
    expect(dumped.length).toBe(4096);
    expect(dumped.map((d) => disassemble(d.bits, d.address))).toEqual(dumped.map((d) => d.text));
  });

  it('prints random instruction words (valid or not) as objdump does', () => {
    const next = prng(0xd15a);
    const majorOpcodes = [0x03, 0x07, 0x0f, 0x13, 0x17, 0x1b, 0x23, 0x27, 0x2f, 0x33, 0x37, 0x3b, 0x43, 0x47, 0x4b, 0x4f, 0x53, 0x63, 0x67, 0x6f, 0x73];
    const words: { bits: number; length: 2 | 4 }[] = [];
    for (let i = 0; i < 20_000; i++) {
      if (i % 3 === 0) {
        const h = next() & 0xffff;
        words.push({ bits: (h & 3) === 3 ? h & ~1 : h, length: 2 });
      } else {
        words.push({ bits: ((next() & ~0x7f) | majorOpcodes[next() % majorOpcodes.length]) >>> 0, length: 4 });
      }
    }
    // Exact conversions with rm != 0: objdump 2.40 prints .4byte, we print the instruction.
    const kept = words.filter((w) => {
      const spec = lookup(w.bits);
      return spec === undefined || !objdumpDiffers(spec, w.bits);
    });
    const dumped = objdumpOf(['.option rvc', ...kept.map((w) => insnDirective(w.bits, w.length))].join('\n'));
    expect(dumped.length).toBe(kept.length);
    const mismatches = dumped
      .map((d) => ({ ...d, ours: disassemble(d.bits, d.address) }))
      .filter((d) => d.ours !== d.text)
      .map((d) => `${d.bits.toString(16)}: objdump '${d.text}' ours '${d.ours}'`);
    expect(mismatches).toEqual([]);
  });

  it('walks a buffer of mixed 32-bit and compressed instructions like objdump', () => {
    const source = [
      '.option rvc',
      '1: c.addi a0, -3',
      'add a0, a1, a2',
      'c.beqz a5, 1b',
      'jal ra, 1b',
      'c.j 2f',
      'beq a0, a1, 1b',
      '2: c.ldsp ra, 8(sp)',
    ].join('\n');
    const dumped = objdumpOf(source);
    const bytes: number[] = [];
    for (const d of dumped) {
      const n = d.bits > 0xffff || (d.bits & 3) === 3 ? 4 : 2;
      for (let k = 0; k < n; k++) bytes.push((d.bits >>> (8 * k)) & 0xff);
    }
    const ours = disassembleBytes(new Uint8Array(bytes), 0n);
    expect(ours.map((o) => [o.address, o.text])).toEqual(dumped.map((d) => [d.address, d.text]));
  });
});

describe('disassembler', () => {
  it('prints branch targets relative to the given pc, wrapping at 64 bits', () => {
    // beq a0,a1,-8 (0xfe b5 0c e3)
    expect(disassemble(0xfeb50ce3, 0x8000_0010n)).toBe('beq\ta0,a1,80000008');
    expect(disassemble(0xfeb50ce3, 0n)).toBe('beq\ta0,a1,fffffffffffffff8');
  });

  it('prints a cut-off 32-bit instruction and a trailing byte as data', () => {
    const out = disassembleBytes(new Uint8Array([0x13, 0x05, 0x01]), 0x100n);
    expect(out.map((o) => o.text)).toEqual(['.2byte\t0x513', '.byte\t0x1']);
  });
});
