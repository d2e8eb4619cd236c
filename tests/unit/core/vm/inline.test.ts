import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { VirtMachine } from '../../../../core/machine/virt.js';
import { InlineScheduler, InstructionClock, type RunResult } from '../../../../core/vm/inline.js';
import { oracle } from '../../../helpers/oracles.js';

const gcc = oracle('riscv64-unknown-elf-gcc', 'gcc-riscv64-unknown-elf');

/** Builds an M-mode guest linked at 0x80000000 (entered from the mrom with a0 = hartid). */
function build(source: string): Uint8Array {
  const dir = mkdtempSync(join(tmpdir(), 'inline-'));
  writeFileSync(join(dir, 'g.S'), `.text\n.globl _start\n_start:\n${source}\n.data\n.align 6\n.globl tohost\ntohost: .dword 0\n.globl fromhost\nfromhost: .dword 0\n`);
  execFileSync(gcc.path, ['-march=rv64gc', '-mabi=lp64d', '-nostdlib', '-nostartfiles', '-Wl,-Ttext=0x80000000', '-Wl,-n', '-Wl,--no-warn-rwx-segments', '-o', join(dir, 'g.elf'), join(dir, 'g.S')]);
  return new Uint8Array(readFileSync(join(dir, 'g.elf')));
}

function boot(elf: Uint8Array, harts = 1) {
  const clock = new InstructionClock();
  let output = '';
  const machine = new VirtMachine({ memSize: 32 << 20, harts, bios: null, kernel: { name: 'g.elf', bytes: elf }, clock, serialOut: (b) => (output += String.fromCharCode(b)) });
  const scheduler = new InlineScheduler(machine, { time: 'instructions', clock, slice: 1000 });
  const runToStop = (budget = 50_000_000): RunResult => {
    let r: RunResult;
    do {
      r = scheduler.run(budget);
      if (r.kind === 'stopped' && r.reason.kind === 'reboot') {
        machine.reset();
        r = { kind: 'budget' };
      }
    } while (r.kind === 'budget' && scheduler.retired < budget);
    return r;
  };
  return { clock, machine, scheduler, runToStop, output: () => output };
}

/** Powers off with exit code `code` (an immediate or a register). */
const POWEROFF = (code: string) => `li t0, 0x100000\n ${/^\d+$/.test(code) ? 'li' : 'mv'} t1, ${code}\n slli t1, t1, 16\n li t2, 0x5555\n or t1, t1, t2\n sw t1, 0(t0)\n9: j 9b`;
const PUTC = (reg: string) => `li t6, 0x10000000\n sb ${reg}, 0(t6)`;

// Three timer interrupts a million ticks apart, sleeping in WFI in between, then poweroff.
const TIMER_GUEST = `
  la t0, trap
  csrw mtvec, t0
  li s0, 0            # interrupts taken
  call arm
  li t0, 0x80         # MTIE
  csrw mie, t0
  csrsi mstatus, 8    # MIE
1: wfi
  li t0, 3
  blt s0, t0, 1b
  ${POWEROFF('s0')}
arm:
  li t0, 0x200bff8
  ld t1, 0(t0)        # mtime
  li t2, 1000000
  add t1, t1, t2
  li t0, 0x2004000
  sd t1, 0(t0)        # mtimecmp
  ret
.align 2
trap:
  addi s0, s0, 1
  li t5, 'T'
  ${PUTC('t5')}
  call arm
  mret
`;

describe.skipIf(!gcc.available)('inline scheduler', () => {
  it('WFI with a timer armed skips straight to the deadline instead of executing a million instructions', () => {
    const m = boot(build(TIMER_GUEST));
    const r = m.runToStop();
    expect(r).toEqual({ kind: 'stopped', reason: { kind: 'poweroff', code: 3, failed: false } });
    expect(m.output()).toBe('TTT');
    expect(m.clock.ticks).toBeGreaterThanOrEqual(3_000_000);
    expect(m.scheduler.retired).toBeLessThan(100_000);
  });

  it('an S-mode timer from Sstc stimecmp wakes a sleeping hart, the clock skipping to its deadline', () => {
    const m = boot(
      build(`
  li t0, -1
  csrw pmpaddr0, t0
  li t0, 0x1f
  csrw pmpcfg0, t0    # S-mode may access everything (NAPOT, RWX)
  li t0, 1
  slli t0, t0, 63
  csrs 0x30a, t0      # menvcfg.STCE
  csrsi mcounteren, 2 # S-mode may read time
  li t0, 0x20
  csrw mideleg, t0    # STI to S-mode
  li t0, 0x800
  csrs mstatus, t0    # MPP = S
  la t0, smode
  csrw mepc, t0
  mret
smode:
  la t0, strap
  csrw stvec, t0
  li s0, 0
  call sarm
  li t0, 0x20
  csrw sie, t0        # STIE
  csrsi sstatus, 2    # SIE
1: wfi
  li t0, 3
  blt s0, t0, 1b
  ${POWEROFF('s0')}
sarm:
  rdtime t1
  li t2, 1000000
  add t1, t1, t2
  csrw 0x14d, t1      # stimecmp
  ret
.align 2
strap:
  addi s0, s0, 1
  li t5, 'S'
  ${PUTC('t5')}
  call sarm
  sret`),
    );
    expect(m.runToStop()).toEqual({ kind: 'stopped', reason: { kind: 'poweroff', code: 3, failed: false } });
    expect(m.output()).toBe('SSS');
    expect(m.clock.ticks).toBeGreaterThanOrEqual(3_000_000);
    expect(m.scheduler.retired).toBeLessThan(100_000);
  });

  it('instruction-counted time is deterministic: the same guest retires the same instructions at the same mtime', () => {
    const elf = build(TIMER_GUEST);
    const a = boot(elf);
    const b = boot(elf);
    a.runToStop();
    b.runToStop();
    expect([a.scheduler.retired, a.clock.ticks]).toEqual([b.scheduler.retired, b.clock.ticks]);
  });

  it('reports a hang when every hart waits with no interrupt enabled', () => {
    const m = boot(build('csrw mie, zero\n1: wfi\n j 1b'));
    expect(m.runToStop()).toMatchObject({ kind: 'stopped', reason: { kind: 'hang' } });
  });

  it('ends the run with the exit code a guest writes to HTIF tohost', () => {
    const m = boot(build('la t0, tohost\n li t1, (42 << 1) | 1\n sd t1, 0(t0)\n1: j 1b'));
    expect(m.runToStop()).toEqual({ kind: 'stopped', reason: { kind: 'htif-exit', code: 42 } });
  });

  it('runs every hart: hart 1 wakes hart 0 with a CLINT software interrupt', () => {
    const m = boot(
      build(`
  bnez a0, secondary
  li t0, 8            # MSIE
  csrw mie, t0
1: wfi
  csrr t0, mip
  andi t0, t0, 8
  beqz t0, 1b
  li t5, 'W'
  ${PUTC('t5')}
  ${POWEROFF('5')}
secondary:
  li t5, 'S'
  ${PUTC('t5')}
  li t0, 0x2000000
  li t1, 1
  sw t1, 0(t0)        # msip[0] = 1
2: j 2b`),
      2,
    );
    expect(m.runToStop()).toEqual({ kind: 'stopped', reason: { kind: 'poweroff', code: 5, failed: false } });
    expect(m.output()).toBe('SW');
  });

  it('a syscon reboot restarts every hart from the reset vector with the images reloaded', () => {
    // A word outside the image survives the reset (as RAM does on QEMU); the image's own data is reloaded.
    const m = boot(
      build(`
  li t0, 0x80100000
  lw t1, 0(t0)
  addi t1, t1, 1
  sw t1, 0(t0)
  la t2, counter
  lw t3, 0(t2)
  addi t3, t3, 1
  sw t3, 0(t2)
  li t4, 2
  bge t1, t4, done
  li t0, 0x100000
  li t1, 0x7777
  sw t1, 0(t0)
1: j 1b
done:
  slli t1, t1, 4
  or t1, t1, t3       # boots * 16 + image counter
  ${POWEROFF('t1')}
.data
counter: .word 0`),
    );
    expect(m.runToStop()).toEqual({ kind: 'stopped', reason: { kind: 'poweroff', code: 2 * 16 + 1, failed: false } });
  });
});

describe.skipIf(!gcc.available)('hang detection', () => {
  it('a hart spinning on a jump to itself with interrupts disabled is reported as hung', () => {
    const m = boot(build('csrw mie, zero\n1: j 1b'));
    expect(m.runToStop()).toMatchObject({ kind: 'stopped', reason: { kind: 'hang', reason: expect.stringMatching(/spins on a jump to itself at 0x80000004/) } });
  });

  it('a guest that jumps to unmapped memory with no trap handler is reported as crashed', () => {
    const m = boot(build('csrw mtvec, zero\n li t0, 0x40000000\n jr t0'));
    expect(m.runToStop()).toMatchObject({ kind: 'stopped', reason: { kind: 'hang', reason: expect.stringMatching(/where nothing is mapped .*crashed/) } });
  });

  it('a spinning hart that an interrupt can still wake is left running', () => {
    const m = boot(build('li t0, 0x80\n csrw mie, t0\n1: j 1b'));
    expect(m.scheduler.run(200_000)).toEqual({ kind: 'budget' });
  });
});

describe.skipIf(!gcc.available)('interrupt-driven UART input through the PLIC', () => {
  it('a hart asleep in WFI wakes on each received byte, claims IRQ 10 and echoes the text', () => {
    const m = boot(
      build(`
  la t0, trap
  csrw mtvec, t0
  li t0, 0x0c000000 + 10 * 4
  li t1, 1
  sw t1, 0(t0)            # priority[10] = 1
  li t0, 0x0c002000
  li t1, 1 << 10
  sw t1, 0(t0)            # enable IRQ 10 for context 0 (hart 0, M-mode)
  li t0, 0x0c200000
  sw zero, 0(t0)          # threshold 0
  li t0, 0x10000000
  li t1, 0x07
  sb t1, 2(t0)            # FCR: FIFO on, cleared
  li t1, 0x01
  sb t1, 1(t0)            # IER: received data available
  li t0, 0x800
  csrw mie, t0            # MEIE
  csrsi mstatus, 8
1: wfi
  j 1b
.align 2
trap:
  li t0, 0x0c200004
  lw s1, 0(t0)            # claim
  li t2, 0x10000000
2: lbu t3, 5(t2)          # LSR
  andi t3, t3, 1
  beqz t3, 3f
  lbu t4, 0(t2)           # RBR
  li t5, '\\n'
  beq t4, t5, done
  addi t4, t4, -32        # to upper case
  sb t4, 0(t2)
  j 2b
3: sw s1, 0(t0)           # complete
  mret
done:
  ${POWEROFF('0')}`),
    );
    expect(m.scheduler.run(1_000_000)).toEqual({ kind: 'idle', until: Infinity });
    m.machine.serialInput(new TextEncoder().encode('riscstation'));
    expect(m.scheduler.run(1_000_000)).toEqual({ kind: 'idle', until: Infinity });
    expect(m.output()).toBe('RISCSTATION');
    m.machine.serialInput(new TextEncoder().encode('\n'));
    expect(m.runToStop()).toEqual({ kind: 'stopped', reason: { kind: 'poweroff', code: 0, failed: false } });
  });
});

describe.skipIf(!gcc.available)('goldfish RTC alarm', () => {
  it('wakes a sleeping hart through PLIC source 11 when the machine clock reaches it', () => {
    const m = boot(
      build(`
  la t0, trap
  csrw mtvec, t0
  li t0, 0x0c000000 + 11 * 4
  li t1, 1
  sw t1, 0(t0)            # priority[11] = 1
  li t0, 0x0c002000
  li t1, 1 << 11
  sw t1, 0(t0)            # enable IRQ 11, hart 0 M-mode
  li t2, 0x101000
  lwu t3, 0(t2)           # TIME_LOW (latches TIME_HIGH)
  lwu t4, 4(t2)           # TIME_HIGH
  slli t4, t4, 32
  or t3, t3, t4
  li t5, 5000000          # + 5 ms
  add t3, t3, t5
  srli t4, t3, 32
  sw t4, 0x0c(t2)         # ALARM_HIGH
  sw t3, 0x08(t2)         # ALARM_LOW arms it
  li t1, 1
  sw t1, 0x10(t2)         # IRQ_ENABLED
  li t0, 0x800
  csrw mie, t0
  csrsi mstatus, 8
1: wfi
  j 1b
.align 2
trap:
  li t0, 0x0c200004
  lw s1, 0(t0)            # claim
  li t2, 0x101000
  sw zero, 0x1c(t2)       # CLEAR_INTERRUPT
  sw s1, 0(t0)            # complete
  ${POWEROFF('s1')}`),
    );
    expect(m.runToStop()).toEqual({ kind: 'stopped', reason: { kind: 'poweroff', code: 11, failed: false } });
    expect(m.clock.ticks).toBeGreaterThanOrEqual(50_000); // 5 ms of 100 ns ticks
    expect(m.scheduler.retired).toBeLessThan(20_000);
  });
});
