/**
 * Runs F/D cases on qemu-riscv64 (user mode) and on executeFp, and compares them.
 *
 * QEMU side: one bare RISC-V program per batch, assembled at test time. For each case it
 * loads frm and the operands from a data table, puts a sentinel in f4 and a0, clears fflags,
 * executes the case's instruction word and stores f4, a0 and fflags (plus an "illegal" mark
 * set by a SIGILL handler that resumes after the instruction) into an output table, which it
 * finally writes to stdout with the write syscall.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FpuState } from '../../../../../core/cpu/fpu-state.js';
import { executeFp } from '../../../../../core/cpu/execute/rvfd.js';
import { type FpCase, RD, RS1, RS2, RS3, SENTINEL, XRD, XRS1 } from './fp-cases.js';

export interface Outcome {
  f4: bigint;
  a0: bigint;
  fflags: number;
  illegal: boolean;
}

function hex(v: bigint): string {
  return '0x' + v.toString(16);
}

function program(cases: FpCase[]): string {
  const lines: string[] = [
    '.option norvc',
    '.macro CASE insn',
    '  ld t0, 0(s0)',
    '  fsrm t0',
    '  fld f1, 8(s0)',
    '  fld f2, 16(s0)',
    '  fld f3, 24(s0)',
    '  ld a1, 32(s0)',
    '  mv a0, s2',
    '  fmv.d.x f4, s2',
    '  li t3, 0',
    '  fsflags zero',
    '  la s3, 9f',
    '  .word \\insn',
    '9:',
    '  frflags t1',
    '  fmv.x.d t2, f4',
    '  sd t2, 0(s1)',
    '  sd a0, 8(s1)',
    '  slli t3, t3, 8',
    '  or t1, t1, t3',
    '  sd t1, 16(s1)',
    '  addi s0, s0, 40',
    '  addi s1, s1, 24',
    '.endm',
    '.text',
    '.globl _start',
    '_start:',
    '  mv s4, sp',
    '  li a0, 4', // SIGILL
    '  la a1, sigact',
    '  li a2, 0',
    '  li a3, 8',
    '  li a7, 134', // rt_sigaction
    '  ecall',
    '  la s0, indata',
    '  la s1, outdata',
    '  la t0, sentinel',
    '  ld s2, 0(t0)',
  ];
  for (const c of cases) lines.push(`  CASE ${c.insn}`);
  lines.push(
    '  la s5, outdata',
    `  li s6, ${cases.length * 24}`,
    '1:',
    '  li a0, 1',
    '  mv a1, s5',
    '  mv a2, s6',
    '  li a7, 64', // write
    '  ecall',
    '  blez a0, 2f',
    '  add s5, s5, a0',
    '  sub s6, s6, a0',
    '  bnez s6, 1b',
    '2:',
    '  li a0, 0',
    '  li a7, 93', // exit
    '  ecall',
    // Never returns: SA_NODEFER keeps SIGILL deliverable, and sp is reset each time.
    'sighandler:',
    '  mv sp, s4',
    '  mv a0, s2', // the kernel passed the signal number in a0
    '  li t3, 1',
    '  jr s3',
    '.data',
    '.balign 8',
    'sigact: .dword sighandler, 0x40000000, 0',
    `sentinel: .dword ${hex(SENTINEL)}`,
    'indata:',
  );
  for (const c of cases) lines.push(`  .dword ${c.frm}, ${hex(c.f1)}, ${hex(c.f2)}, ${hex(c.f3)}, ${hex(c.x11)}`);
  lines.push('.bss', '.balign 8', `outdata: .space ${cases.length * 24}`, '');
  return lines.join('\n');
}

/** Assembles and runs the cases on QEMU; returns one outcome per case. */
export function runOnQemu(gcc: string, qemu: string, cases: FpCase[]): Outcome[] {
  const dir = mkdtempSync(join(tmpdir(), 'rvfd-qemu-'));
  try {
    const src = join(dir, 'cases.S');
    const elf = join(dir, 'cases.elf');
    writeFileSync(src, program(cases));
    execFileSync(gcc, ['-march=rv64gc', '-mabi=lp64d', '-nostdlib', '-static', '-Wl,-Ttext=0x10000', '-o', elf, src]);
    const out = execFileSync(qemu, [elf], { maxBuffer: cases.length * 24 + 4096 });
    if (out.length !== cases.length * 24) throw new Error(`QEMU wrote ${out.length} bytes, expected ${cases.length * 24}`);
    const outcomes: Outcome[] = [];
    for (let i = 0; i < cases.length; i++) {
      const w = out.readBigUInt64LE(i * 24 + 16);
      outcomes.push({
        f4: out.readBigUInt64LE(i * 24),
        a0: out.readBigUInt64LE(i * 24 + 8),
        fflags: Number(w & 0x1fn),
        illegal: (w & 0x100n) !== 0n,
      });
    }
    return outcomes;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A plain FpuState (not in shared memory), as the unit tests use it. */
export function newFpuState(): FpuState {
  const buf = new ArrayBuffer(32 * 8);
  return { x: new Int32Array(64), f: new Int32Array(buf), f64: new Float64Array(buf), f32: new Float32Array(buf), frm: 0, fflags: 0 };
}

export function setF(s: FpuState, r: number, v: bigint): void {
  s.f[2 * r] = Number(v & 0xffffffffn) | 0;
  s.f[2 * r + 1] = Number((v >> 32n) & 0xffffffffn) | 0;
}
export function getF(s: FpuState, r: number): bigint {
  return (BigInt(s.f[2 * r + 1] >>> 0) << 32n) | BigInt(s.f[2 * r] >>> 0);
}
export function setX(s: FpuState, r: number, v: bigint): void {
  s.x[2 * r] = Number(v & 0xffffffffn) | 0;
  s.x[2 * r + 1] = Number((v >> 32n) & 0xffffffffn) | 0;
}
export function getX(s: FpuState, r: number): bigint {
  return (BigInt(s.x[2 * r + 1] >>> 0) << 32n) | BigInt(s.x[2 * r] >>> 0);
}

/** Runs one case through executeFp exactly as the QEMU program runs it. */
export function runOnExecuteFp(s: FpuState, c: FpCase): Outcome {
  s.f.fill(0);
  s.x.fill(0);
  setF(s, RS1, c.f1);
  setF(s, RS2, c.f2);
  setF(s, RS3, c.f3);
  setX(s, XRS1, c.x11);
  setF(s, RD, SENTINEL);
  setX(s, XRD, SENTINEL);
  s.frm = c.frm;
  s.fflags = 0;
  const rc = executeFp(s, c.insn | 0);
  return { f4: getF(s, RD), a0: getX(s, XRD), fflags: s.fflags, illegal: rc === -1 };
}

export function describeCase(c: FpCase, want: Outcome, got: Outcome): string {
  const o = (x: Outcome): string => ((x.illegal ? 'illegal ' : '') + `f4=${hex(x.f4)} a0=${hex(x.a0)} fflags=${x.fflags.toString(2).padStart(5, '0')}`);
  return (
    `${c.name} [insn ${hex(BigInt(c.insn))}] f1=${hex(c.f1)} f2=${hex(c.f2)} f3=${hex(c.f3)} x11=${hex(c.x11)} frm=${c.frm}\n` +
    `    qemu: ${o(want)}\n    ours: ${o(got)}`
  );
}

export function sameOutcome(a: Outcome, b: Outcome): boolean {
  return a.illegal === b.illegal && a.f4 === b.f4 && a.a0 === b.a0 && a.fflags === b.fflags;
}
