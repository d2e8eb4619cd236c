/**
 * The virt board (QEMU's `virt`, riscv64): harts, guest RAM at 0x8000_0000, the device table from
 * virt-devices.ts mapped on one physical bus, and QEMU's boot flow:
 *
 *   firmware (--bios) at 0x8000_0000, a raw kernel at the next 2 MiB boundary after it (0x8020_0000
 *   for OpenSBI, fw_jump's FW_JUMP_ADDR) or at 0x8000_0000 without firmware, the FDT in the last
 *   2 MiB-aligned slot below the end of RAM (or 3 GiB), the initrd at kernel + min(RAM/2, 128 MiB);
 *   every hart starts in the mrom at 0x1000, which enters the firmware (or the kernel) with
 *   a0 = hartid, a1 = FDT, a2 = fw_dynamic_info.
 *
 *   const machine = new VirtMachine({ memSize: 256 << 20, harts: 1, bios, kernel, clock, serialOut });
 *   const scheduler = new InlineScheduler(machine, { time: 'instructions', clock });
 *   scheduler.run(1e8);
 */
import type { TimeSource } from '../common/clock.js';
import { Hart, HART_ISA, RUN_WFI } from '../cpu/hart.js';
import { S_MCAUSE, S_MIE, S_PC, S_SATP } from '../cpu/state.js';
import type { WallClock } from '../devices/goldfish-rtc.js';
import { NEXT_MODE_S } from '../devices/mrom.js';
import type { PowerRequest } from '../devices/sifive-test.js';
import { PhysicalBus } from '../memory/bus.js';
import type { IrqLine, MmioDevice } from '../memory/mmio.js';
import { GuestMemory } from '../memory/ram.js';
import type { SchedulableHart, SchedulableMachine, StopReason } from './schedulable.js';
import { imageExtent, loadElf, loadInitrd, loadKernel, isElf, loadRaw, type LoadedImage } from './loaders.js';
import { MIP_MEIP, MIP_MSIP, MIP_MTIP, MIP_SEIP, VIRT_DRAM_BASE, VIRT_MROM } from './memmap.js';
import { VirtPlatform, type HartIrqInputs } from './virt-devices.js';

/** A file to boot, as bytes plus the name used in messages. */
export interface BootImage {
  readonly name: string;
  readonly bytes: Uint8Array;
}

export interface VirtMachineConfig {
  /** RAM in bytes (a multiple of 1 MiB, 16 MiB..2 GiB). */
  readonly memSize: number;
  /** Number of harts (default 1). */
  readonly harts?: number;
  /** M-mode firmware loaded at RAM base (OpenSBI); null or absent: boot the kernel directly. */
  readonly bios?: BootImage | null;
  readonly kernel?: BootImage;
  readonly initrd?: BootImage;
  /** Kernel command line (/chosen/bootargs). */
  readonly append?: string;
  /** MMU type advertised in the FDT (default sv48, as QEMU's virt). */
  readonly mmu?: 'sv39' | 'sv48';
  /** mtime source (10 MHz ticks): an InstructionClock for deterministic runs, or a host clock. */
  readonly clock: TimeSource;
  /** Wall clock for the RTC, ns since the epoch (default: the clock's ticks since 1970, i.e. ~0). */
  readonly wallClock?: WallClock;
  /** One call per byte the guest sends to the serial port. */
  readonly serialOut?: (byte: number) => void;
  /** Devices for the virtio-mmio slots (see VirtPlatformOptions.virtio); they get guest RAM too. */
  readonly virtio?: (slot: number, irq: IrqLine, memory: GuestMemory) => MmioDevice | undefined;
}

/** fw_jump's default payload offset (FW_JUMP_ADDR = RAM base + 2 MiB on 64-bit generic). */
const KERNEL_ALIGN = 0x20_0000;
const MiB = 1024 * 1024;

const alignUp = (v: number, a: number): number => Math.ceil(v / a) * a;
const alignDown = (v: number, a: number): number => Math.floor(v / a) * a;

export class VirtMachine implements SchedulableMachine {
  readonly config: VirtMachineConfig;
  readonly memory: GuestMemory;
  readonly bus: PhysicalBus;
  readonly platform: VirtPlatform;
  readonly harts: Hart[] = [];
  /** The harts as the scheduler drives them. */
  readonly hartRunners: HartRunner[] = [];
  /** Every image placed in RAM (firmware, kernel, initrd), for placement checks and reset. */
  readonly images: LoadedImage[] = [];
  readonly ramBase = VIRT_DRAM_BASE;
  /** The generated device tree blob and where it sits in RAM. */
  readonly fdt: Uint8Array;
  readonly fdtAddr: number;
  /** Where the mrom jumps (firmware or kernel entry). */
  readonly startAddr: number;
  /** The kernel's entry (fw_dynamic_info.next_addr), 0 when there is none. */
  readonly kernelEntry: number;
  /** Spike HTIF mailbox, when the booted ELF defines `tohost`. */
  readonly tohost: number | null = null;
  readonly fromhost: number | null = null;
  private powerRequest: PowerRequest | null = null;
  private readonly initialDeviceState: ReturnType<VirtMachine['saveDevices']>;

  constructor(config: VirtMachineConfig) {
    this.config = config;
    const harts = config.harts ?? 1;
    if (!Number.isInteger(harts) || harts < 1 || harts > 8) throw new RangeError(`virt: ${harts} harts; 1 to 8 are supported`);
    this.memory = new GuestMemory({ ramBytes: config.memSize, harts });
    this.bus = new PhysicalBus(this.memory);
    // The harts read `time` through the CLINT, so a guest write to mtime moves rdtime too.
    const time: TimeSource = { now: () => this.platform.clint.mtime() };
    const sv48 = (config.mmu ?? 'sv48') === 'sv48';
    for (let i = 0; i < harts; i++) {
      const hart = new Hart({ memory: this.memory, bus: this.bus, time, hartId: i, sv39: true, sv48, resetPc: VIRT_MROM.base });
      this.harts.push(hart);
      this.hartRunners.push(new HartRunner(hart));
    }

    const irqs: HartIrqInputs[] = this.harts.map((hart) => ({
      msip: hart.irqLine(MIP_MSIP),
      mtip: hart.irqLine(MIP_MTIP),
      meip: hart.irqLine(MIP_MEIP),
      seip: hart.irqLine(MIP_SEIP),
    }));
    const serialOut = config.serialOut ?? (() => {});
    this.platform = new VirtPlatform({
      harts,
      ramBase: VIRT_DRAM_BASE,
      ramSize: config.memSize,
      isa: HART_ISA,
      mmuType: `riscv,${config.mmu ?? 'sv48'}`,
      clock: config.clock,
      wallClock: config.wallClock ?? (() => BigInt(config.clock.now()) * 100n),
      hartIrqs: irqs,
      serialOut,
      virtio: config.virtio && ((slot, irq) => config.virtio?.(slot, irq, this.memory)),
      power: (request) => {
        this.powerRequest = request;
      },
    });
    for (const d of this.platform.devices) this.bus.map(d.name, d.base, d.size, d.device);

    // Boot images, placed as QEMU's virt_machine_init does.
    const ramEnd = VIRT_DRAM_BASE + config.memSize;
    let firmwareEnd = VIRT_DRAM_BASE;
    let start = VIRT_DRAM_BASE;
    if (config.bios) {
      const fw = isElf(config.bios.bytes) ? loadElf(config.bios.bytes, config.bios.name) : loadRaw(config.bios.bytes, config.bios.name, BigInt(VIRT_DRAM_BASE));
      this.images.push(fw);
      firmwareEnd = Number(imageExtent(fw).end);
      start = Number(fw.entry);
      this.noteHtif(fw);
    }
    let kernelEntry = 0;
    if (config.kernel) {
      const kernelStart = alignUp(firmwareEnd, KERNEL_ALIGN);
      const kernel = loadKernel(config.kernel.bytes, config.kernel.name, BigInt(VIRT_DRAM_BASE), BigInt(kernelStart));
      this.images.push(kernel);
      kernelEntry = Number(kernel.entry);
      if (!config.bios) start = kernelEntry;
      this.noteHtif(kernel);
    }
    this.kernelEntry = kernelEntry;
    this.startAddr = start;
    let initrdRange: { start: bigint; end: bigint } | null = null;
    if (config.initrd) {
      const initrdStart = kernelEntry + Math.min(config.memSize / 2, 128 * MiB);
      const initrd = loadInitrd(config.initrd.bytes, config.initrd.name, BigInt(initrdStart));
      this.images.push(initrd);
      initrdRange = imageExtent(initrd);
    }
    this.fdt = this.platform.buildFdt({
      ...(config.append !== undefined ? { bootargs: config.append } : {}),
      ...(initrdRange ? { initrdStart: initrdRange.start, initrdEnd: initrdRange.end } : {}),
    });
    const top = Math.min(ramEnd, 3072 * MiB);
    this.fdtAddr = alignDown(top - this.fdt.length, 2 * MiB);
    this.images.push(loadRaw(this.fdt, 'device tree', BigInt(this.fdtAddr)));
    this.platform.setResetVector({
      startAddr: BigInt(start),
      fdtAddr: BigInt(this.fdtAddr),
      nextAddr: BigInt(kernelEntry),
      nextMode: NEXT_MODE_S,
    });
    this.initialDeviceState = this.saveDevices();
    this.loadImages();
    this.resetHarts();
  }

  /** The UART's receive side: bytes typed or pasted on the host. */
  serialInput(bytes: Uint8Array): void {
    this.platform.uart.receive(bytes);
  }

  /** Reboots: devices and harts back to their reset state, images copied into RAM again. */
  reset(): void {
    this.powerRequest = null;
    this.restoreDevices(this.initialDeviceState);
    this.loadImages();
    this.resetHarts();
  }

  // --- SchedulableMachine ---

  updateDevices(): void {
    this.platform.update();
  }

  nextDeadline(): number {
    let next = this.platform.clint.nextDeadline();
    const now = this.platform.clint.mtime();
    // The RTC alarm, in mtime ticks (100 ns) from now.
    const alarmNs = this.platform.rtc.nsUntilAlarm();
    if (alarmNs !== Infinity) next = Math.min(next, now + Math.max(1, Math.ceil(alarmNs / 100)));
    // Sstc: a hart's stimecmp raises its STIP without the CLINT.
    for (const hart of this.harts) {
      const t = hart.timerDeadline();
      if (t > now && t < next) next = t;
    }
    return next;
  }

  pollStop(): StopReason | null {
    const power = this.powerRequest;
    if (power !== null) {
      this.powerRequest = null;
      return power.action === 'reboot' ? { kind: 'reboot' } : { kind: 'poweroff', code: power.code, failed: power.failed };
    }
    if (this.tohost !== null) {
      const htif = this.pollHtif(this.tohost);
      if (htif !== null) return htif;
    }
    return this.detectHang();
  }

  /**
   * Harts that can never make progress again: a hart fetching from an address where nothing is
   * mapped (a trap loop through an unset mtvec), or every hart either spinning on a jump-to-self
   * or asleep in WFI, with every interrupt disabled in mie. QEMU would spin forever;
   * `riscstation run` reports it instead.
   */
  private detectHang(): StopReason | null {
    let spinning: string | null = null;
    for (const hart of this.harts) {
      const s = hart.s;
      // Only a physical pc can be checked: M-mode, or S/U-mode with satp in Bare mode.
      if (s[S_PC + 1] !== 0 || (hart.priv !== 3 && s[S_SATP + 1] >>> 28 !== 0)) return null;
      const pc = s[S_PC] >>> 0;
      if (this.memory.isRam(pc, 4)) {
        if (hart.waiting && s[S_MIE] === 0) continue; // asleep for good
        if (s[S_MIE] !== 0 || hart.waiting) return null;
        const off = pc - VIRT_DRAM_BASE;
        const insn = this.memory.u8[off] | (this.memory.u8[off + 1] << 8) | (this.memory.u8[off + 2] << 16) | (this.memory.u8[off + 3] << 24);
        // `jal x0, 0` (j .) or `c.j 0`
        if (insn !== 0x0000006f && (insn & 0xffff) !== 0xa001) return null;
        spinning ??= `hart ${hart.hartId} spins on a jump to itself at 0x${pc.toString(16)} with all interrupts disabled`;
      } else if (this.bus.find(pc) === undefined) {
        const cause = (s[S_MCAUSE] >>> 0).toString(16);
        return { kind: 'hang', reason: `hart ${hart.hartId} executes at 0x${pc.toString(16)} where nothing is mapped (mcause 0x${cause}): the guest crashed` };
      } else {
        return null;
      }
    }
    return spinning === null ? null : { kind: 'hang', reason: spinning };
  }

  private noteHtif(image: LoadedImage): void {
    if (image.tohost !== undefined && this.memory.isRam(Number(image.tohost), 8)) {
      (this as { tohost: number | null }).tohost = Number(image.tohost);
      if (image.fromhost !== undefined) (this as { fromhost: number | null }).fromhost = Number(image.fromhost);
    }
  }

  /**
   * Spike's HTIF: `tohost` = (code << 1) | 1 ends the run with `code`; device 1 command 1 prints
   * the low byte on the console (acknowledged through `fromhost`).
   */
  private pollHtif(addr: number): StopReason | null {
    const view = new DataView(this.memory.buffer, addr - VIRT_DRAM_BASE, 8);
    const lo = view.getUint32(0, true);
    const hi = view.getUint32(4, true);
    if (lo === 0 && hi === 0) return null;
    const device = hi >>> 24;
    const cmd = (hi >>> 16) & 0xff;
    if (device === 0 && lo & 1) return { kind: 'htif-exit', code: Math.floor((hi * 0x1_0000_0000 + lo) / 2) };
    view.setUint32(0, 0, true);
    view.setUint32(4, 0, true);
    if (device === 1 && cmd === 1) {
      this.config.serialOut?.(lo & 0xff);
      if (this.fromhost !== null) {
        const fh = new DataView(this.memory.buffer, this.fromhost - VIRT_DRAM_BASE, 8);
        fh.setUint32(0, 1, true);
        fh.setUint32(4, (1 << 24) | (1 << 16), true);
      }
    }
    return null;
  }

  private loadImages(): void {
    for (const image of this.images) {
      for (const s of image.segments) {
        this.memory.writeBytes(Number(s.addr), s.data);
        const bss = Number(s.memSize) - s.data.length;
        if (bss > 0) this.memory.writeBytes(Number(s.addr) + s.data.length, new Uint8Array(bss));
      }
    }
  }

  private resetHarts(): void {
    for (const hart of this.harts) hart.reset();
  }

  private saveDevices() {
    const p = this.platform;
    return { clint: p.clint.save(), plic: p.plic.save(), uart: p.uart.save(), rtc: p.rtc.save(), test: p.test.save(), mrom: p.mrom.save() };
  }

  private restoreDevices(state: ReturnType<VirtMachine['saveDevices']>): void {
    const p = this.platform;
    p.clint.restore(state.clint);
    p.plic.restore(state.plic);
    // Host input not yet in the FIFO waits outside the UART (QEMU's chardev): it survives a reset.
    const typedAhead = p.uart.save().hostQueue;
    p.uart.restore(state.uart);
    p.uart.receive(typedAhead);
    p.rtc.restore(state.rtc);
    p.test.restore(state.test);
    p.mrom.restore(state.mrom);
    // Devices plugged into the virtio slots reset as on a power cycle (virtio §2.1: status 0).
    for (const d of p.virtio) (d as { reset?: () => void }).reset?.();
  }
}

/** Adapts a Hart to the scheduler: retired-instruction counts and WFI idleness. */
export class HartRunner implements SchedulableHart {
  constructor(readonly hart: Hart) {}

  run(budget: number): number {
    const before = this.hart.instret();
    const exit = this.hart.run(budget);
    const retired = this.hart.instret() - before;
    // instret stops when mcountinhibit.IR is set; then count the whole slice unless it ended in WFI.
    return retired > 0 ? retired : exit === RUN_WFI ? 0 : budget;
  }

  isIdle(): boolean {
    if (!this.hart.waiting) return false;
    this.hart.updateSstc(); // stimecmp may have come due while the hart slept
    return (this.hart.mip() & this.hart.s[S_MIE]) === 0;
  }

  canWake(): boolean {
    return this.hart.s[S_MIE] !== 0;
  }
}
