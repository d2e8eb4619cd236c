/**
 * What runs inside a VM process: the device thread. It builds the virt board from a `BootSpec`,
 * runs the harts with the inline scheduler on host time, and answers the host's messages between
 * time slices (core/vm/protocol.ts).
 *
 * Scheduling: the hart loop runs in slices of about SLICE_MS of host time (the instruction budget
 * adapts to the measured speed), then yields to the event loop so messages (pause, input, stats)
 * are handled promptly. When every hart waits for an interrupt it sleeps until the next timer
 * deadline or input (an idle guest costs ~0% CPU). A CPU cap below 100% sleeps after each slice
 * so that busy / (busy + sleep) stays at the cap.
 *
 * Two schedulers: threaded (threaded.ts: a thread per hart over the shared guest memory, devices
 * served here through per-hart MMIO mailboxes) when the platform can start threads, else inline
 * (every hart on this thread, in time slices).
 */
import { VirtioBlk } from '../devices/virtio/blk.js';
import { VirtioInput } from '../devices/virtio/input.js';
import { POWER_BUTTON_SLOT } from '../machine/virtio-slot.js';
import { VirtioConsole } from '../devices/virtio/console.js';
import { VirtioRng } from '../devices/virtio/rng.js';
import { VirtMachine, type BootImage } from '../machine/virt.js';
import type { IrqLine } from '../memory/mmio.js';
import type { GuestMemory } from '../memory/ram.js';
import type { BlockBackend } from '../storage/block-backend.js';
import { InlineScheduler, type StopReason } from './inline.js';
import { createThreadedShared, ThreadedScheduler } from './threaded.js';
import type { VmMain, VmParentPort, VmProcessEnv } from './process.js';
import { EXIT_FATAL, type BootSpec, type GuestStop, type HostToVm, type VmMessage } from './protocol.js';

/** Host time per slice before the event loop gets a turn. */
const SLICE_MS = 10;
/** Longest idle sleep (then re-check; input and messages wake it earlier). */
const MAX_IDLE_MS = 1000;
/** Serial output is sent at the end of each slice, or when this much has gathered. */
const OUTPUT_CHUNK = 16 * 1024;
/** hvc0 output waiting beyond this is sent at once instead of at the next flush. */
const HVC_CHUNK = 64 * 1024;

/** The guest's clock: host time in 10 MHz ticks that stands still while the VM is paused. */
class PausableClock {
  private pausedAt: number | null = null;
  private pausedTotal = 0;
  constructor(
    private readonly env: VmProcessEnv,
    private readonly start = env.now(),
  ) {}
  now(): number {
    const t = this.pausedAt ?? this.env.now();
    return Math.floor((t - this.start - this.pausedTotal) * 10_000);
  }
  pause(): void {
    if (this.pausedAt === null) this.pausedAt = this.env.now();
  }
  resume(): void {
    if (this.pausedAt !== null) {
      this.pausedTotal += this.env.now() - this.pausedAt;
      this.pausedAt = null;
    }
  }
}

class VmRuntime {
  private machine: VirtMachine | null = null;
  private scheduler: InlineScheduler | null = null;
  private clock: { now(): number; pause(): void; resume(): void } | null = null;
  /** Set when the harts run on their own threads (the threaded scheduler). */
  private threaded: ThreadedScheduler | null = null;
  private flushScheduled = false;
  private spec: BootSpec | null = null;
  private state: 'waiting' | 'running' | 'paused' | 'stopped' = 'waiting';
  private readonly bootedAt: number;
  private budget = 100_000;
  private out = new Uint8Array(OUTPUT_CHUNK);
  private outLen = 0;
  /** hvc0 (virtio-console) output since the last flush, as the device handed it over. */
  private hvcOut: Uint8Array[] = [];
  private hvcOutLen = 0;
  private hvc0: VirtioConsole | null = null;
  /** The pending wake-up of the hart loop (a slice or an idle sleep); null when none is scheduled. */
  private cancelWake: (() => void) | null = null;

  constructor(
    private readonly port: VmParentPort,
    private readonly env: VmProcessEnv,
  ) {
    this.bootedAt = env.now();
    port.onMessage((message) => {
      try {
        this.handle(message);
      } catch (error) {
        this.fatal('the VM process failed handling a message from the host', error);
      }
    });
  }

  private send(message: VmMessage): void {
    this.port.send(message);
  }

  private handle(message: HostToVm): void {
    switch (message.type) {
      case 'boot':
        void this.openDisks(message.spec).then(
          (disks) => this.boot(message.spec, disks),
          (error: unknown) => this.fatal('the VM could not open its disks', error),
        );
        return;
      case 'pause':
        if (this.state === 'running') {
          this.state = 'paused';
          if (this.threaded) {
            void this.threaded.pause().then(() => {
              this.flush();
              this.send({ type: 'paused' });
            });
            return;
          }
          this.clock?.pause();
          this.sleepCancel();
          this.flush();
        }
        this.send({ type: 'paused' });
        return;
      case 'resume':
        if (this.state === 'paused') {
          this.state = 'running';
          if (this.threaded) this.threaded.resume();
          else {
            this.clock?.resume();
            this.schedule(0);
          }
        }
        this.send({ type: 'resumed' });
        return;
      case 'reset':
        if (this.machine && (this.state === 'running' || this.state === 'paused')) {
          if (this.threaded) {
            void this.threaded.reset().then(() => {
              this.flush();
              this.send({ type: 'reset' });
            });
            return;
          }
          this.machine.reset();
          this.flush();
        }
        this.send({ type: 'reset' });
        return;
      case 'powerRequest':
        // The power button is a virtio-input device (POWER_BUTTON_SLOT); a guest whose driver set
        // it up gets KEY_POWER (Linux + acpid: poweroff). Otherwise the host hard-stops after its timeout.
        {
          const pressed = this.powerButton?.pressPowerButton() ?? false;
          this.send({ type: 'log', line: pressed ? 'power-off request: pressed the power button' : 'power-off request: no driver listens to the power button' });
          this.send({ type: 'powerButton', pressed });
        }
        return;
      case 'keys': {
        const delivered = this.powerButton?.pressCtrlAltDel() ?? false;
        if (delivered) this.kick();
        this.send({ type: 'log', line: delivered ? 'sent Ctrl+Alt+Del' : 'Ctrl+Alt+Del not sent: no driver listens to the input device' });
        this.send({ type: 'keysSent', delivered });
        return;
      }
      case 'input':
        if (this.machine && this.state !== 'stopped') {
          if (message.stream === 'hvc0') this.hvc0?.receive(message.data);
          else this.machine.serialInput(message.data);
          this.kick();
        }
        return;
      case 'break':
        if (this.machine && this.state !== 'stopped') {
          this.machine.platform.uart.receiveBreak();
          this.kick();
        }
        return;
      case 'stats':
        this.send({
          type: 'stats',
          requestId: message.requestId,
          counters: {
            retired: this.threaded?.retired ?? this.scheduler?.retired ?? 0,
            cpuMicros: this.env.cpuMicros(),
            rssBytes: this.env.rssBytes(),
            uptimeMs: this.env.now() - this.bootedAt,
          },
        });
        return;
      case 'exit':
        this.flush();
        this.state = 'stopped';
        this.sleepCancel();
        this.threaded?.stop();
        void Promise.all(this.disks.map((d) => d.close().catch(() => {}))).then(() => this.env.exit(0));
        return;
    }
  }

  private disks: BlockBackend[] = [];
  /** The virtio-input power button `powerRequest` presses (null when every slot is taken). */
  private powerButton: VirtioInput | null = null;

  private async openDisks(spec: BootSpec): Promise<BlockBackend[]> {
    const wanted = spec.disks ?? [];
    if (wanted.length === 0) return [];
    const open = this.env.openDisk;
    if (!open) throw new Error('this platform cannot open disk images');
    const disks: BlockBackend[] = [];
    try {
      for (const d of wanted) disks.push(await open(d.path, d.readOnly));
    } catch (error) {
      for (const d of disks) await d.close().catch(() => {});
      throw error;
    }
    return disks;
  }

  /** A device interrupt raised outside a hart slice (virtio completions): wake the harts. */
  private kick(): void {
    if (this.threaded) this.threaded.kick();
    else if (this.state === 'running') this.schedule(0);
  }

  private boot(spec: BootSpec, disks: BlockBackend[]): void {
    this.disks = disks;
    if (this.state !== 'waiting') {
      this.send({ type: 'log', line: 'ignored a second boot message' });
      return;
    }
    this.spec = spec;
    const image = (path: string | null, what: string): BootImage | null => {
      if (path === null) return null;
      try {
        return { name: path.split('/').pop() ?? path, bytes: this.env.readFile(path) };
      } catch (error) {
        throw new Error(`cannot read the ${what} ${path}: ${error instanceof Error ? error.message : String(error)}`);
      }
    };
    let machine: VirtMachine;
    let shared: ReturnType<typeof createThreadedShared> | null = null;
    try {
      const bios = image(spec.bios, 'firmware');
      const kernel = image(spec.kernel, 'kernel');
      const initrd = image(spec.initrd, 'initrd');
      const threaded = (spec.scheduler ?? 'threaded') === 'threaded' && this.env.startHartThread && this.env.wallMs;
      if (threaded) {
        shared = createThreadedShared(spec.harts, () => this.env.wallMs!());
        this.clock = shared.clock;
      } else {
        this.clock = new PausableClock(this.env);
      }
      const { epochNs, random } = this.env;
      machine = new VirtMachine({
        memSize: spec.memoryMiB * 1024 * 1024,
        harts: spec.harts,
        bios,
        ...(kernel ? { kernel } : {}),
        ...(initrd ? { initrd } : {}),
        ...(spec.cmdline !== '' ? { append: spec.cmdline } : {}),
        clock: this.clock,
        ...(epochNs ? { wallClock: () => epochNs.call(this.env) } : {}),
        serialOut: (byte) => this.outputByte(byte),
        // Disks take the first virtio-mmio slots, hvc0 the next free one, then virtio-rng (the board's
        // FDT lists every slot, so the guest finds each wherever it sits); the power button has the
        // last slot. With the slots taken by disks, hvc0, the rng and the button go first, in that order.
        virtio: (slot: number, irq: IrqLine, memory: GuestMemory) => {
          const line: IrqLine = {
            set: (level) => {
              irq.set(level);
              if (level) this.kick();
            },
          };
          const backend = disks[slot];
          if (backend) return new VirtioBlk({ memory, irq: line, backend, serial: `${spec.vmId}-disk${slot}`.slice(0, 20) });
          if (slot === POWER_BUTTON_SLOT && slot !== disks.length) {
            this.powerButton = new VirtioInput({ memory, irq: line, log: (text) => this.send({ type: 'log', line: text }) });
            return this.powerButton;
          }
          if (slot === disks.length + 1 && slot !== POWER_BUTTON_SLOT && random) {
            return new VirtioRng({ memory, irq: line, random: (bytes) => random.call(this.env, bytes) });
          }
          if (slot !== disks.length) return undefined;
          this.hvc0 = new VirtioConsole({ memory, irq: line, output: (bytes) => this.hvcOutput(bytes) });
          return this.hvc0;
        },
      });
    } catch (error) {
      this.fatal('the VM could not be built', error);
      return;
    }
    this.machine = machine;
    if (shared) {
      this.threaded = new ThreadedScheduler(
        machine,
        shared,
        {
          after: (ms, fn) => this.env.after(ms, fn),
          onActivity: () => this.scheduleFlush(),
          onStop: (reason) => {
            const stop = this.guestStop(reason);
            this.flush();
            if (stop && stop !== 'reboot') {
              this.state = 'stopped';
              this.send({ type: 'stopped', stop });
            }
          },
        },
        this.env.startHartThread!,
        (error) => this.fatal('internal error in a hart thread', error),
        spec.cpuCapPercent,
      );
      this.state = 'running';
      this.send({ type: 'booted', harts: spec.harts, scheduler: 'threaded' });
      this.threaded.start();
      return;
    }
    this.scheduler = new InlineScheduler(machine, { time: 'host', clock: this.clock, slice: 10_000 });
    this.state = 'running';
    this.send({ type: 'booted', harts: spec.harts, scheduler: 'inline' });
    this.schedule(0);
  }

  /** Threaded: console output is gathered for a few milliseconds, then sent in one message. */
  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    this.env.after(4, () => {
      this.flushScheduled = false;
      this.flush();
    });
  }

  private readonly outputByte = (byte: number): void => {
    if (this.outLen === this.out.length) this.flush();
    this.out[this.outLen++] = byte;
  };

  /** hvc0 output (on the device thread, from the transmit queue): sent with the next flush. */
  private hvcOutput(bytes: Uint8Array): void {
    this.hvcOut.push(bytes);
    this.hvcOutLen += bytes.length;
    if (this.hvcOutLen >= HVC_CHUNK) this.flush();
    else this.scheduleFlush();
  }

  private flush(): void {
    if (this.outLen > 0) {
      this.send({ type: 'output', stream: 'serial', data: this.out.slice(0, this.outLen) });
      this.outLen = 0;
    }
    if (this.hvcOutLen > 0) {
      const data = this.hvcOut.length === 1 ? this.hvcOut[0] : new Uint8Array(this.hvcOutLen);
      if (this.hvcOut.length > 1) {
        let at = 0;
        for (const chunk of this.hvcOut) {
          data.set(chunk, at);
          at += chunk.length;
        }
      }
      this.hvcOut = [];
      this.hvcOutLen = 0;
      this.send({ type: 'output', stream: 'hvc0', data });
    }
  }

  private sleepCancel(): void {
    this.cancelWake?.();
    this.cancelWake = null;
  }

  /** (Re)schedules the hart loop `ms` from now, replacing any pending wake-up. */
  private schedule(ms: number): void {
    this.sleepCancel();
    this.cancelWake = this.env.after(ms, () => {
      this.cancelWake = null;
      this.slice();
    });
  }

  /** One time slice of the hart loop. */
  private slice(): void {
    const scheduler = this.scheduler;
    const machine = this.machine;
    if (this.state !== 'running' || !scheduler || !machine) return;
    const t0 = this.env.now();
    let result;
    try {
      result = scheduler.run(this.budget);
    } catch (error) {
      this.fatal('internal error in the hart loop', error);
      return;
    }
    const busy = this.env.now() - t0;
    this.flush();
    if (result.kind === 'stopped') {
      const stop = this.guestStop(result.reason);
      if (stop === 'reboot') {
        machine.reset();
        this.schedule(0);
      } else if (stop) {
        this.state = 'stopped';
        this.send({ type: 'stopped', stop });
      }
      return;
    }
    if (result.kind === 'idle') {
      // The scheduler may report idle in the same round in which a device raised an interrupt
      // (it checked the harts before updating the devices): run again at once then.
      if (machine.hartRunners.some((h) => !h.isIdle())) {
        this.schedule(0);
        return;
      }
      const clock = this.clock as PausableClock;
      const ms = result.until === Infinity ? MAX_IDLE_MS : Math.max(0, Math.min(MAX_IDLE_MS, (result.until - clock.now()) / 10_000));
      this.schedule(Math.ceil(ms));
      return;
    }
    // Adapt the budget so a slice takes about SLICE_MS.
    if (busy > 0) this.budget = Math.max(10_000, Math.min(50_000_000, Math.round((this.budget * SLICE_MS) / busy)));
    else this.budget = Math.min(50_000_000, this.budget * 2);
    const cap = this.spec?.cpuCapPercent ?? 100;
    this.schedule(cap >= 100 ? 0 : (busy * (100 - cap)) / cap);
  }

  private guestStop(reason: StopReason): GuestStop | 'reboot' | null {
    switch (reason.kind) {
      case 'reboot':
        return 'reboot';
      case 'poweroff':
        return { kind: 'poweroff', code: reason.code, failed: reason.failed };
      case 'htif-exit':
        return { kind: 'htif-exit', code: reason.code };
      case 'hang':
        return { kind: 'hang', reason: reason.reason };
      case 'error':
        this.fatal('internal error in the hart loop', reason.error);
        return null;
    }
  }

  private fatal(what: string, error: unknown): void {
    this.flush();
    this.state = 'stopped';
    this.sleepCancel();
    this.threaded?.stop();
    const message = error instanceof Error ? error.message : String(error);
    const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
    this.send({ type: 'fatal', message: `${what}: ${message}`, detail });
    this.env.exit(EXIT_FATAL);
  }
}

/** The VM runtime entry (see process.ts `VmMain`). */
export const runVmProcess: VmMain = (port, env) => {
  new VmRuntime(port, env);
};
