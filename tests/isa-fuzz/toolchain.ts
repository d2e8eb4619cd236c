/** Builds fuzzer programs with Debian's riscv64-unknown-elf toolchain and runs them on qemu-riscv64. */
import { execFileSync, spawnSync } from 'node:child_process';
import { accessSync, constants, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import type { Target } from './diff.js';
import { LINKER_SCRIPT } from './program.js';

export const MARCH = 'rv64gc_zba_zbb_zbc_zbs_zihintpause';

/** Finds a program on PATH; '' when missing. */
export function which(program: string): string {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const path = join(dir, program);
    try {
      accessSync(path, constants.X_OK);
      return path;
    } catch {
      // keep looking
    }
  }
  return '';
}

export interface Tools {
  gcc: string;
  qemu: string;
  objdump?: string;
}

/** Assembles and links `source`; returns the ELF bytes. Throws with gcc's message on error. */
export function assemble(gcc: string, source: string): Uint8Array {
  const dir = mkdtempSync(join(tmpdir(), 'isa-fuzz-'));
  try {
    writeFileSync(join(dir, 'prog.S'), source);
    writeFileSync(join(dir, 'link.ld'), LINKER_SCRIPT);
    const r = spawnSync(
      gcc,
      ['-nostdlib', '-static', `-march=${MARCH}`, '-mabi=lp64d', '-T', 'link.ld', '-o', 'prog.elf', 'prog.S'],
      { cwd: dir, encoding: 'utf8' },
    );
    if (r.status !== 0) throw new Error(`assembling the fuzz program failed:\n${r.stderr}`);
    return new Uint8Array(readFileSync(join(dir, 'prog.elf')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs an ELF on qemu-riscv64 and returns what it wrote to stdout. */
export function runQemu(qemu: string, elf: Uint8Array): Uint8Array {
  const dir = mkdtempSync(join(tmpdir(), 'isa-fuzz-'));
  try {
    const path = join(dir, 'prog.elf');
    writeFileSync(path, elf, { mode: 0o755 });
    const out = execFileSync(qemu, [path], { maxBuffer: 1 << 30 });
    return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** objdump -d of an ELF (for reports). */
export function objdump(tool: string, elf: Uint8Array, args: string[] = []): string {
  const dir = mkdtempSync(join(tmpdir(), 'isa-fuzz-'));
  try {
    const path = join(dir, 'prog.elf');
    writeFileSync(path, elf);
    return execFileSync(tool, ['-d', ...args, path], { encoding: 'utf8', maxBuffer: 1 << 30 });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** qemu-riscv64 (user mode) as the reference target: the program writes its blocks to stdout. */
export function qemuTarget(qemu: string): Target {
  return { name: 'qemu', run: (elf) => ({ data: runQemu(qemu, elf) }) };
}
