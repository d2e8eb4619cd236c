/**
 * Builds the hypervisor tests' bare-metal guests (tests/guests/hypervisor/*.S) with the riscv64
 * cross compiler into a temp folder: M-mode ELFs linked at 0x8000_0000 for the "Bare metal" template.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { oracle } from '../helpers/oracles.js';

export const gcc = oracle('riscv64-unknown-elf-gcc', 'gcc-riscv64-unknown-elf');
export const GUESTS_DIR = fileURLToPath(new URL('../guests/hypervisor', import.meta.url));

/** Compiles tests/guests/hypervisor/<name>.S; returns the ELF's path. */
export function buildHypervisorGuest(name: 'idle-echo' | 'smp-counter' | 'console-flood', defines: Record<string, number> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), `rs-guest-${name}-`));
  const elf = join(dir, `${name}.elf`);
  execFileSync(gcc.path, [
    '-nostdlib',
    '-nostartfiles',
    '-march=rv64gc',
    '-mabi=lp64d',
    '-mcmodel=medany',
    '-T',
    join(GUESTS_DIR, 'link.ld'),
    '-I',
    GUESTS_DIR,
    '-Wl,--no-warn-rwx-segments',
    ...Object.entries(defines).map(([k, v]) => `-D${k}=${v}`),
    '-o',
    elf,
    join(GUESTS_DIR, `${name}.S`),
  ]);
  return elf;
}
