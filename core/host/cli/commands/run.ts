/**
 * `riscstation run`: a transient virt machine attached to the terminal, with QEMU-like flags.
 * The serial console is stdin/stdout (raw mode on a TTY; Ctrl-A x quits, Ctrl-A h helps); piped
 * stdin/stdout work for scripting. Exit code: the guest's poweroff code (0 = clean), 1 when the
 * guest crashed or hung, 2 for bad arguments.
 */
import { webcrypto } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { openRawImage } from '../../../platform/node/block-file.js';
import { packageInfo } from '../../../platform/node/package-info.js';
import { checkPlacement, parseSize } from '../../../machine/loaders.js';
import { VirtMachine, type BootImage, type VirtMachineConfig } from '../../../machine/virt.js';
import { VirtioBlk, VirtioRng } from '../../../devices/virtio/index.js';
import { DiskImageError, type BlockBackend } from '../../../storage/block-backend.js';
import type { IrqLine } from '../../../memory/mmio.js';
import { InlineScheduler, InstructionClock, type StopReason } from '../../../vm/inline.js';
import { EXIT_FAILURE, EXIT_OK } from '../run-cli.js';
import { UsageError, type CliCommand, type CliIo, type CliValues } from '../registry.js';

const CTRL_A = 0x01;
/** Instructions per scheduler call before the event loop gets a turn (input, output flush). */
const CHUNK = 500_000;

const HELP_KEYS = [
  'C-a h    print this help',
  'C-a x    exit the machine',
  'C-a C-a  send C-a to the guest',
].join('\r\n');

function readImage(path: string, what: string): BootImage {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(readFileSync(path));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : code === 'EACCES' ? 'permission denied' : String(error);
    throw new UsageError(`${what} ${path}: ${why}`);
  }
  return { name: basename(path), bytes };
}

/** The firmware used when --bios is not given: resources/firmware/firmware.json lists candidates. */
function defaultBios(): string | null {
  const root = packageInfo().root;
  const config = join(root, 'resources', 'firmware', 'firmware.json');
  if (!existsSync(config)) return null;
  try {
    const json = JSON.parse(readFileSync(config, 'utf8')) as { bios?: unknown };
    const list = Array.isArray(json.bios) ? json.bios : [];
    for (const candidate of list) {
      if (typeof candidate !== 'string') continue;
      const path = candidate.startsWith('/') ? candidate : join(root, candidate);
      if (existsSync(path)) return path;
    }
  } catch {
    return null;
  }
  return null;
}

export const command: CliCommand = {
  name: 'run',
  summary: 'boot a transient virt machine with its serial console on this terminal',
  usage: '[--bios FILE|none] [--kernel FILE] [--initrd FILE] [--append STR] [--mem SIZE] [--smp N] [--drive FILE[,ro]]... [--dtb-out FILE] [--inline]',
  details: [
    'Options:',
    '  --bios FILE|none  M-mode firmware loaded at 0x80000000 (e.g. OpenSBI fw_jump.bin or',
    '                    fw_dynamic.bin); "none" starts --kernel directly in M-mode.',
    '                    Default: the firmware configured in resources/firmware, else none.',
    '  --kernel FILE     kernel or payload (ELF, Linux Image, raw binary such as u-boot.bin);',
    '                    raw images go to 0x80200000 after firmware, 0x80000000 without',
    '  --initrd FILE     initial ramdisk (its range is passed in /chosen)',
    '  --append STR      kernel command line (/chosen/bootargs)',
    '  --mem SIZE        RAM size, 16M..2G (default 128M)',
    '  --smp N           number of harts, 1..8 (default 1)',
    '  --drive FILE[,ro] raw disk image as a virtio-blk disk (/dev/vda, /dev/vdb, ... in order;',
    '                    ",ro": read-only); refused if missing, truncated or in use by another VM',
    '  --dtb-out FILE    write the generated device tree blob to FILE',
    '  --inline          deterministic time: the guest clock counts instructions',
    '',
    'A virtio-rng device (host entropy, /dev/hwrng) is always attached.',
    '',
    'Console: C-a x exits, C-a h lists the keys. Exit status: the guest poweroff code',
    '(0 = clean poweroff), 1 if the guest crashed or hung, 2 for bad arguments.',
  ].join('\n'),
  options: {
    bios: { type: 'string' },
    kernel: { type: 'string' },
    initrd: { type: 'string' },
    append: { type: 'string' },
    mem: { type: 'string' },
    smp: { type: 'string' },
    drive: { type: 'string', multiple: true },
    'dtb-out': { type: 'string' },
    inline: { type: 'boolean' },
  },
  async run({ values }, io) {
    const memText = (values.mem as string | undefined) ?? '128M';
    let memSize: number;
    try {
      memSize = Number(parseSize(memText));
    } catch (error) {
      throw new UsageError(`--mem: ${(error as Error).message}`);
    }
    if (memSize < 16 * 1024 * 1024 || memSize > 2 * 1024 * 1024 * 1024 || memSize % (1024 * 1024) !== 0) {
      throw new UsageError(`--mem ${memText}: RAM must be a whole number of MiB from 16M to 2G`);
    }
    const smpText = (values.smp as string | undefined) ?? '1';
    const harts = /^\d+$/.test(smpText) ? Number(smpText) : NaN;
    if (!(harts >= 1 && harts <= 8)) throw new UsageError(`--smp must be a whole number from 1 to 8, not '${smpText}'`);

    const biosArg = (values.bios as string | undefined) ?? defaultBios() ?? 'none';
    const bios = biosArg === 'none' ? null : readImage(biosArg, '--bios');
    const kernel = values.kernel !== undefined ? readImage(values.kernel as string, '--kernel') : undefined;
    const initrd = values.initrd !== undefined ? readImage(values.initrd as string, '--initrd') : undefined;
    if (!bios && !kernel) throw new UsageError('nothing to boot: give --bios FILE and/or --kernel FILE');
    if (initrd && !kernel) throw new UsageError('--initrd needs --kernel');

    const drives = ((values.drive as string[] | undefined) ?? []).map(parseDrive);
    if (drives.length > MAX_DRIVES) throw new UsageError(`at most ${MAX_DRIVES} --drive options (one virtio slot stays for the rng)`);
    const disks: BlockBackend[] = [];
    try {
      for (const d of drives) disks.push(await openRawImage(d.path, { readOnly: d.readOnly }));
    } catch (error) {
      for (const d of disks) await d.close().catch(() => {});
      if (error instanceof DiskImageError) throw new UsageError(`--drive: ${error.message}`);
      throw error;
    }
    try {
      return await runMachine(values, io, { memSize, harts, bios, kernel, initrd, disks });
    } finally {
      for (const d of disks) await d.close().catch(() => {});
    }
  },
};

/** Longest disk list: the virt board has 8 virtio slots and slot 0 carries the rng. */
const MAX_DRIVES = 7;
const RNG_SLOT = 0;

function parseDrive(text: string): { path: string; readOnly: boolean } {
  const ro = text.endsWith(',ro');
  const path = ro ? text.slice(0, -3) : text;
  if (path === '' || path.includes(',')) throw new UsageError(`--drive ${text}: expected FILE or FILE,ro`);
  return { path, readOnly: ro };
}

async function runMachine(
  values: CliValues,
  io: CliIo,
  m: { memSize: number; harts: number; bios: BootImage | null; kernel?: BootImage; initrd?: BootImage; disks: BlockBackend[] },
): Promise<number> {
  const { memSize, harts, bios, kernel, initrd, disks } = m;
  const deterministic = values.inline === true;
  const clock = deterministic ? new InstructionClock() : hostClock();
  const bootNs = BigInt(Date.now()) * 1_000_000n;
  const console = new SerialConsole(io);
  const config: VirtMachineConfig = {
    memSize,
    harts,
    bios,
    ...(kernel ? { kernel } : {}),
    ...(initrd ? { initrd } : {}),
    ...(values.append !== undefined ? { append: values.append as string } : {}),
    clock,
    // The RTC runs on the machine's clock from the host's time at launch (deterministic with --inline).
    wallClock: () => bootNs + BigInt(clock.now()) * 100n,
    serialOut: console.outputByte,
    virtio: (slot, irq, memory) => {
      // A completion that arrives while the loop sleeps (disk I/O is asynchronous) wakes it.
      const line: IrqLine = {
        set: (level) => {
          irq.set(level);
          if (level) console.wakeUp();
        },
      };
      // The board's FDT lists slot 7 first and Linux probes in FDT order: the first --drive goes
      // to slot 7 so it becomes /dev/vda, the next to slot 6 (/dev/vdb), and so on.
      const drive = 7 - slot;
      if (drive < disks.length) return new VirtioBlk({ memory, irq: line, backend: disks[drive], serial: `disk${drive}` });
      if (slot === RNG_SLOT) return new VirtioRng({ memory, irq: line, random: (bytes) => webcrypto.getRandomValues(bytes) });
      return undefined;
    },
  };
  let machine: VirtMachine;
  try {
    machine = new VirtMachine(config);
    checkPlacement(machine.images, { base: BigInt(machine.ramBase), size: BigInt(memSize) });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const dtbOut = values['dtb-out'] as string | undefined;
  if (dtbOut !== undefined) writeFileSync(dtbOut, machine.fdt);

  const scheduler = new InlineScheduler(machine, { time: deterministic ? 'instructions' : 'host', clock });
  console.attach((bytes) => machine.serialInput(bytes));
  try {
    const reason = await runLoop(machine, scheduler, console, io, clock);
    return exitCodeFor(reason, io);
  } finally {
    console.detach();
  }
}

function hostClock(): { now(): number } {
  const start = performance.now();
  // 10 MHz ticks since the machine started, monotonic.
  return { now: () => Math.floor((performance.now() - start) * 10_000) };
}

function exitCodeFor(reason: StopReason | 'quit', io: CliIo): number {
  if (reason === 'quit') return EXIT_OK;
  switch (reason.kind) {
    case 'poweroff':
      return reason.failed ? reason.code || EXIT_FAILURE : reason.code;
    case 'htif-exit':
      return reason.code;
    case 'hang':
      io.err(`riscstation run: the guest hung: ${reason.reason}`);
      return EXIT_FAILURE;
    case 'error':
      io.err(`riscstation run: the machine stopped: ${reason.error.stack ?? reason.error.message}`);
      return EXIT_FAILURE;
    case 'reboot':
      return EXIT_OK; // handled in the loop; never returned
  }
}

async function runLoop(
  machine: VirtMachine,
  scheduler: InlineScheduler,
  console: SerialConsole,
  io: CliIo,
  clock: { now(): number },
): Promise<StopReason | 'quit'> {
  for (;;) {
    if (console.quitRequested || io.signal.aborted) return 'quit';
    const result = scheduler.run(CHUNK);
    console.flush();
    if (result.kind === 'stopped') {
      if (result.reason.kind === 'reboot') {
        machine.reset();
        continue;
      }
      return result.reason;
    }
    if (result.kind === 'idle') {
      // Sleep until the next timer deadline or until input arrives.
      const waitTicks = result.until === Infinity ? Infinity : result.until - clock.now();
      const ms = waitTicks === Infinity ? 1000 : Math.max(0, Math.min(1000, waitTicks / 10_000));
      await console.waitForInput(ms);
    } else {
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }
}

/**
 * The serial console on this process's stdin/stdout: raw mode on a TTY, Ctrl-A escapes, output
 * gathered per scheduler chunk (one function call per guest byte) and written in one piece.
 */
class SerialConsole {
  quitRequested = false;
  private out = new Uint8Array(65536);
  private outLen = 0;
  private escape = false;
  private wake: (() => void) | null = null;
  private sink: ((bytes: Uint8Array) => void) | null = null;
  private rawMode = false;
  private readonly onData = (chunk: Buffer) => this.input(new Uint8Array(chunk));
  private readonly onOutputError = () => {
    this.quitRequested = true;
    this.outLen = 0;
    this.wake?.();
  };

  constructor(private readonly io: CliIo) {}

  /** Ends a `waitForInput` early (a device interrupt arrived). */
  wakeUp(): void {
    this.wake?.();
  }

  readonly outputByte = (byte: number): void => {
    if (this.outLen === this.out.length) this.flush();
    this.out[this.outLen++] = byte;
  };

  flush(): void {
    if (this.outLen === 0 || this.quitRequested) {
      this.outLen = 0;
      return;
    }
    process.stdout.write(Buffer.from(this.out.subarray(0, this.outLen)));
    this.outLen = 0;
  }

  attach(sink: (bytes: Uint8Array) => void): void {
    this.sink = sink;
    // Whoever reads our output went away (EPIPE): nobody can see the console any more.
    process.stdout.on('error', this.onOutputError);
    if (process.stdin.isTTY) {
      process.stdin.setRawMode(true);
      this.rawMode = true;
    }
    process.stdin.on('data', this.onData);
    process.stdin.resume();
  }

  detach(): void {
    this.flush();
    process.stdout.off('error', this.onOutputError);
    process.stdin.off('data', this.onData);
    if (this.rawMode) process.stdin.setRawMode(false);
    process.stdin.pause();
    process.stdin.unref?.();
  }

  /** Resolves after `ms` or as soon as input arrives. */
  waitForInput(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.wake = null;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wake = done;
    });
  }

  private input(bytes: Uint8Array): void {
    const pass: number[] = [];
    for (const b of bytes) {
      if (this.escape) {
        this.escape = false;
        if (b === 0x78 /* x */ || b === 0x58) {
          this.quitRequested = true;
          this.flush();
          process.stdout.write('\r\nriscstation: terminated (C-a x)\r\n');
        } else if (b === 0x68 /* h */ || b === 0x48) {
          this.flush();
          process.stdout.write(`\r\n${HELP_KEYS}\r\n`);
        } else if (b === CTRL_A) {
          pass.push(CTRL_A);
        }
        continue;
      }
      if (b === CTRL_A) {
        this.escape = true;
        continue;
      }
      pass.push(b);
    }
    if (pass.length > 0) this.sink?.(Uint8Array.from(pass));
    this.wake?.();
  }
}
