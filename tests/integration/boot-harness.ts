/**
 * Drives a virt machine in-process for boot tests: the inline scheduler with instruction-counted
 * time (deterministic), serial output collected as text, input typed into the UART.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { VirtMachine, type VirtMachineConfig } from '../../core/machine/virt.js';
import { InlineScheduler, InstructionClock, type StopReason } from '../../core/vm/inline.js';

export const OPENSBI_DIR = '/usr/lib/riscv64-linux-gnu/opensbi/generic';
export const FW_JUMP = `${OPENSBI_DIR}/fw_jump.bin`;
export const FW_DYNAMIC = `${OPENSBI_DIR}/fw_dynamic.bin`;
export const UBOOT_SMODE = '/usr/lib/u-boot/qemu-riscv64_smode/u-boot.bin';
export const UBOOT_MMODE = '/usr/lib/u-boot/qemu-riscv64/u-boot.bin';

export const file = (path: string) => ({ name: basename(path), bytes: new Uint8Array(readFileSync(path)) });

export interface SessionOptions extends Omit<VirtMachineConfig, 'clock' | 'serialOut'> {
  /** Instruction budget for one `waitFor` (default 2e9). */
  readonly budget?: number;
}

export class BootSession {
  readonly clock = new InstructionClock();
  readonly machine: VirtMachine;
  readonly scheduler: InlineScheduler;
  /** Everything the guest printed. */
  output = '';
  /** Where the last `waitFor` match ended. */
  private mark = 0;
  stopped: StopReason | null = null;
  reboots = 0;
  private readonly budget: number;

  constructor(options: SessionOptions) {
    this.budget = options.budget ?? 2e9;
    this.machine = new VirtMachine({
      ...options,
      clock: this.clock,
      serialOut: (byte) => {
        this.output += String.fromCharCode(byte);
      },
    });
    this.scheduler = new InlineScheduler(this.machine, { time: 'instructions', clock: this.clock });
  }

  /** Runs until `pattern` appears in output after the previous match; returns the text up to it. */
  waitFor(pattern: string | RegExp, budget = this.budget): string {
    const start = this.mark;
    const find = (): number => {
      const tail = this.output.slice(start);
      if (typeof pattern === 'string') {
        const i = tail.indexOf(pattern);
        return i < 0 ? -1 : i + pattern.length;
      }
      const m = pattern.exec(tail);
      return m ? m.index + m[0].length : -1;
    };
    const limit = this.scheduler.retired + budget;
    for (;;) {
      const at = find();
      if (at >= 0) {
        this.mark = start + at;
        return this.output.slice(start, this.mark);
      }
      if (this.stopped) throw new Error(`machine stopped (${JSON.stringify(this.stopped, errorJson)}) before ${pattern}; output:\n${this.output.slice(-3000)}`);
      if (this.scheduler.retired >= limit) throw new Error(`no ${pattern} within ${budget} instructions; output:\n${this.output.slice(-3000)}`);
      const r = this.scheduler.run(1_000_000);
      if (r.kind === 'stopped') {
        if (r.reason.kind === 'reboot') {
          this.reboots++;
          this.machine.reset();
        } else {
          this.stopped = r.reason;
        }
      } else if (r.kind === 'idle' && find() < 0) {
        throw new Error(`the machine waits for input that never comes, before ${pattern}; output:\n${this.output.slice(-3000)}`);
      }
    }
  }

  /** Runs until the machine stops (poweroff, HTIF exit, hang). */
  runToStop(budget = this.budget): StopReason {
    const limit = this.scheduler.retired + budget;
    while (!this.stopped) {
      if (this.scheduler.retired >= limit) throw new Error(`still running after ${budget} instructions; output:\n${this.output.slice(-3000)}`);
      const r = this.scheduler.run(1_000_000);
      if (r.kind === 'stopped') {
        if (r.reason.kind === 'reboot') {
          this.reboots++;
          this.machine.reset();
        } else this.stopped = r.reason;
      } else if (r.kind === 'idle') throw new Error(`the machine waits for input; output:\n${this.output.slice(-3000)}`);
    }
    return this.stopped;
  }

  type(text: string): void {
    this.machine.serialInput(new TextEncoder().encode(text));
  }

  /** Types a command line and returns the output up to the next prompt. */
  command(line: string, prompt = '=> '): string {
    this.type(`${line}\n`);
    return this.waitFor(`\n${prompt}`);
  }
}

function errorJson(_key: string, value: unknown): unknown {
  return value instanceof Error ? value.message : value;
}
