/**
 * The virt board's devices as one table: each entry says where a device sits, which PLIC source it
 * raises and how it appears in the device tree. The same table builds the bus, the interrupt wiring
 * and the FDT, so the three cannot disagree. Nothing here needs a hart: harts are reached only through
 * the per-hart IrqLines the board passes in.
 */
import type { TimeSource } from '../common/clock.js';
import { TIMEBASE_HZ } from '../common/clock.js';
import { Clint, clintStateBytes } from '../devices/clint.js';
import { GoldfishRtc, type WallClock } from '../devices/goldfish-rtc.js';
import { buildResetVector, Rom, type ResetVectorConfig } from '../devices/mrom.js';
import { Plic, plicStateBytes } from '../devices/plic.js';
import { align8 } from '../devices/shared-state.js';
import { SifiveTest, FINISHER_PASS, FINISHER_RESET, type PowerRequest } from '../devices/sifive-test.js';
import { Uart16550, UART_CLOCK_HZ, uartStateBytes } from '../devices/uart16550.js';
import type { IrqLine, MmioDevice } from '../memory/mmio.js';
import { FdtBuilder } from './fdt.js';
import {
  MIP_MEIP,
  MIP_MSIP,
  MIP_MTIP,
  MIP_SEIP,
  RTC_IRQ,
  UART0_IRQ,
  VIRT_CLINT,
  VIRT_MROM,
  VIRT_PLIC,
  VIRT_PLIC_NDEV,
  VIRT_RTC,
  VIRT_TEST,
  VIRT_UART0,
  VIRT_VIRTIO,
  VIRTIO_COUNT,
  VIRTIO_IRQ,
} from './memmap.js';
import { EmptyVirtioSlot } from './virtio-slot.js';

/** The interrupt inputs of one hart (the board connects them to the hart's mip bits). */
export interface HartIrqInputs {
  readonly msip: IrqLine;
  readonly mtip: IrqLine;
  readonly meip: IrqLine;
  readonly seip: IrqLine;
}

/** Phandles the FDT builders refer to. */
export interface FdtPhandles {
  readonly cpu: readonly number[];
  readonly cpuIntc: readonly number[];
  readonly plic: number;
  readonly test: number;
}

/** One row of the board's device table. */
export interface BoardDevice {
  /** Short name (also used in errors and traces). */
  readonly name: string;
  readonly base: number;
  readonly size: number;
  readonly device: MmioDevice;
  /** PLIC source this device raises, if any. */
  readonly irq?: number;
  /** Emits the device's node under /soc. */
  readonly fdtSoc?: (fdt: FdtBuilder, ph: FdtPhandles) => void;
  /** Emits nodes at the root (e.g. syscon-poweroff), if any. */
  readonly fdtRoot?: (fdt: FdtBuilder, ph: FdtPhandles) => void;
}

export interface VirtPlatformOptions {
  readonly harts: number;
  readonly ramBase: number;
  readonly ramSize: number;
  /** riscv,isa of every hart, e.g. "rv64imafdc_zicsr_zifencei". */
  readonly isa: string;
  /** mmu-type, e.g. "riscv,sv48". */
  readonly mmuType: string;
  readonly clock: TimeSource;
  readonly wallClock: WallClock;
  readonly hartIrqs: readonly HartIrqInputs[];
  /** Called once per byte the guest writes to the UART. */
  readonly serialOut: (byte: number) => void;
  /** Called when the guest writes the sifive,test finisher. */
  readonly power: (request: PowerRequest) => void;
  /**
   * The device in virtio-mmio slot `slot` (0..7, at 0x1000_1000 + slot * 0x1000, PLIC source
   * 1 + slot), given its interrupt line; undefined leaves the slot empty. The FDT node is the same
   * either way (QEMU lists all eight slots); Linux's vda is the device in the lowest-numbered slot.
   */
  readonly virtio?: (slot: number, irq: IrqLine) => MmioDevice | undefined;
  /**
   * Where the fast-path devices (CLINT, PLIC, UART) keep their registers: `fastPathStateBytes(harts)`
   * bytes at `offset` in `buffer` (e.g. the guest memory's device-state area). Default: a
   * SharedArrayBuffer of their own.
   */
  readonly fastPathState?: { readonly buffer: SharedArrayBuffer; readonly offset: number };
}

/** Byte offsets of the fast-path devices' registers inside their shared state. */
export interface FastPathLayout {
  readonly clint: number;
  readonly plic: number;
  readonly uart: number;
  readonly bytes: number;
}

/** PLIC contexts on the virt board: M and S per hart. */
const plicContexts = (harts: number): number => 2 * harts;

/** Where the CLINT, PLIC and UART registers sit in the shared fast-path state of a board with `harts` harts. */
export function fastPathLayout(harts: number): FastPathLayout {
  const clint = 0;
  const plic = clint + align8(clintStateBytes(harts));
  const uart = plic + align8(plicStateBytes(VIRT_PLIC_NDEV, plicContexts(harts)));
  return { clint, plic, uart, bytes: uart + align8(uartStateBytes()) };
}

/** The fast-path devices as one thread sees them. */
export interface FastPathDevices {
  readonly clint: Clint;
  readonly plic: Plic;
  readonly uart: Uart16550;
}

function buildFastPathDevices(
  harts: number,
  clock: TimeSource,
  hartIrqs: readonly HartIrqInputs[],
  serialOut: (byte: number) => void,
  state: { readonly buffer: SharedArrayBuffer; readonly offset: number },
  attach: boolean,
): FastPathDevices {
  const layout = fastPathLayout(harts);
  const at = (offset: number) => ({ buffer: state.buffer, offset: state.offset + offset, attach });
  const clint = new Clint(
    clock,
    hartIrqs.map((h) => ({ msip: h.msip, mtip: h.mtip })),
    at(layout.clint),
  );
  // Contexts: 2*hart = M-mode (MEIP), 2*hart+1 = S-mode (SEIP).
  const contexts: IrqLine[] = [];
  for (const h of hartIrqs) contexts.push(h.meip, h.seip);
  const plic = new Plic(VIRT_PLIC_NDEV, contexts, at(layout.plic));
  const uart = new Uart16550(serialOut, plic.source(UART0_IRQ), at(layout.uart));
  return { clint, plic, uart };
}

/**
 * Another thread's view of a board's CLINT, PLIC and UART (a hart thread of the threaded
 * scheduler): objects over the registers the board's own devices keep in `state`
 * (VirtPlatform.fastPathState), driving the harts' interrupt inputs given here. `clock` must read
 * what the board's clock reads; `serialOut` gets the bytes the guest writes to THR through this view.
 */
export function attachFastPathDevices(options: {
  readonly harts: number;
  readonly clock: TimeSource;
  readonly hartIrqs: readonly HartIrqInputs[];
  readonly serialOut: (byte: number) => void;
  readonly state: { readonly buffer: SharedArrayBuffer; readonly offset: number };
}): FastPathDevices {
  return buildFastPathDevices(options.harts, options.clock, options.hartIrqs, options.serialOut, options.state, true);
}

/** What goes in /chosen. */
export interface ChosenOptions {
  readonly bootargs?: string;
  readonly initrdStart?: bigint;
  readonly initrdEnd?: bigint;
}

const hex = (n: number): string => n.toString(16);

export class VirtPlatform {
  readonly options: VirtPlatformOptions;
  readonly clint: Clint;
  readonly plic: Plic;
  readonly uart: Uart16550;
  readonly rtc: GoldfishRtc;
  readonly test: SifiveTest;
  readonly mrom: Rom;
  /** Where the CLINT, PLIC and UART keep their registers (see attachFastPathDevices). */
  readonly fastPathState: { readonly buffer: SharedArrayBuffer; readonly offset: number };
  readonly virtio: MmioDevice[] = [];
  /** The device table: builds the bus, the IRQ wiring and the FDT. */
  readonly devices: readonly BoardDevice[];

  constructor(options: VirtPlatformOptions) {
    if (options.hartIrqs.length !== options.harts) throw new Error(`virt: ${options.harts} harts but ${options.hartIrqs.length} interrupt inputs`);
    this.options = options;
    const { harts, hartIrqs } = options;
    this.fastPathState = options.fastPathState ?? { buffer: new SharedArrayBuffer(fastPathLayout(harts).bytes), offset: 0 };
    const fast = buildFastPathDevices(harts, options.clock, hartIrqs, options.serialOut, this.fastPathState, false);
    this.clint = fast.clint;
    this.plic = fast.plic;
    this.uart = fast.uart;
    this.rtc = new GoldfishRtc(options.wallClock, this.plic.source(RTC_IRQ));
    this.test = new SifiveTest(options.power);
    this.mrom = new Rom(VIRT_MROM.size);

    const interruptsExtended = (bits: number[]) => (fdt: FdtBuilder, ph: FdtPhandles, name: string) => {
      const cells: number[] = [];
      for (let h = 0; h < harts; h++) for (const b of bits) cells.push(ph.cpuIntc[h], b);
      fdt.propU32(name, ...cells);
    };
    const reg = (fdt: FdtBuilder, base: number, size: number) => fdt.propU64('reg', BigInt(base), BigInt(size));

    const table: BoardDevice[] = [
      { name: 'mrom', base: VIRT_MROM.base, size: VIRT_MROM.size, device: this.mrom },
      {
        name: 'test',
        base: VIRT_TEST.base,
        size: VIRT_TEST.size,
        device: this.test,
        fdtSoc: (fdt, ph) => {
          fdt.beginNode(`test@${hex(VIRT_TEST.base)}`);
          fdt.propU32('phandle', ph.test);
          reg(fdt, VIRT_TEST.base, VIRT_TEST.size);
          fdt.propStrings('compatible', ['sifive,test1', 'sifive,test0', 'syscon']);
          fdt.endNode();
        },
        fdtRoot: (fdt, ph) => {
          for (const [node, value] of [
            ['poweroff', FINISHER_PASS],
            ['reboot', FINISHER_RESET],
          ] as const) {
            fdt.beginNode(node);
            fdt.propU32('value', value);
            fdt.propU32('offset', 0);
            fdt.propU32('regmap', ph.test);
            fdt.propString('compatible', `syscon-${node}`);
            fdt.endNode();
          }
        },
      },
      {
        name: 'rtc',
        base: VIRT_RTC.base,
        size: VIRT_RTC.size,
        irq: RTC_IRQ,
        device: this.rtc,
        fdtSoc: (fdt, ph) => {
          fdt.beginNode(`rtc@${hex(VIRT_RTC.base)}`);
          fdt.propU32('interrupts', RTC_IRQ);
          fdt.propU32('interrupt-parent', ph.plic);
          reg(fdt, VIRT_RTC.base, VIRT_RTC.size);
          fdt.propString('compatible', 'google,goldfish-rtc');
          fdt.endNode();
        },
      },
      {
        name: 'clint',
        base: VIRT_CLINT.base,
        size: VIRT_CLINT.size,
        device: this.clint,
        fdtSoc: (fdt, ph) => {
          fdt.beginNode(`clint@${hex(VIRT_CLINT.base)}`);
          interruptsExtended([MIP_MSIP, MIP_MTIP])(fdt, ph, 'interrupts-extended');
          reg(fdt, VIRT_CLINT.base, VIRT_CLINT.size);
          fdt.propStrings('compatible', ['sifive,clint0', 'riscv,clint0']);
          fdt.endNode();
        },
      },
      {
        name: 'plic',
        base: VIRT_PLIC.base,
        size: VIRT_PLIC.size,
        device: this.plic,
        fdtSoc: (fdt, ph) => {
          fdt.beginNode(`plic@${hex(VIRT_PLIC.base)}`);
          fdt.propU32('phandle', ph.plic);
          fdt.propU32('riscv,ndev', VIRT_PLIC_NDEV);
          reg(fdt, VIRT_PLIC.base, VIRT_PLIC.size);
          interruptsExtended([MIP_MEIP, MIP_SEIP])(fdt, ph, 'interrupts-extended');
          fdt.propEmpty('interrupt-controller');
          fdt.propStrings('compatible', ['sifive,plic-1.0.0', 'riscv,plic0']);
          fdt.propU32('#address-cells', 0);
          fdt.propU32('#interrupt-cells', 1);
          fdt.endNode();
        },
      },
      {
        name: 'uart0',
        base: VIRT_UART0.base,
        size: VIRT_UART0.size,
        irq: UART0_IRQ,
        device: this.uart,
        fdtSoc: (fdt, ph) => {
          fdt.beginNode(`serial@${hex(VIRT_UART0.base)}`);
          fdt.propU32('interrupts', UART0_IRQ);
          fdt.propU32('interrupt-parent', ph.plic);
          fdt.propU32('clock-frequency', UART_CLOCK_HZ);
          reg(fdt, VIRT_UART0.base, VIRT_UART0.size);
          fdt.propString('compatible', 'ns16550a');
          fdt.endNode();
        },
      },
    ];
    // QEMU lists the virtio slots from the highest address down; Linux numbers them in FDT order.
    for (let i = VIRTIO_COUNT - 1; i >= 0; i--) {
      const irq = VIRTIO_IRQ + i;
      const slot = options.virtio?.(i, this.plic.source(irq)) ?? new EmptyVirtioSlot();
      this.virtio[i] = slot;
      const base = VIRT_VIRTIO.base + i * VIRT_VIRTIO.size;
      table.push({
        name: `virtio${i}`,
        base,
        size: VIRT_VIRTIO.size,
        irq,
        device: slot,
        fdtSoc: (fdt, ph) => {
          fdt.beginNode(`virtio_mmio@${hex(base)}`);
          fdt.propU32('interrupts', irq);
          fdt.propU32('interrupt-parent', ph.plic);
          reg(fdt, base, VIRT_VIRTIO.size);
          fdt.propString('compatible', 'virtio,mmio');
          fdt.endNode();
        },
      });
    }
    this.devices = table;
  }

  /** Writes the reset vector (and fw_dynamic_info) into the mrom. */
  setResetVector(config: ResetVectorConfig): void {
    this.mrom.load(buildResetVector(config));
  }

  /** The UART's stdout-path. */
  get stdoutPath(): string {
    return `/soc/serial@${hex(VIRT_UART0.base)}`;
  }

  /** Generates the flattened device tree for this board. */
  buildFdt(chosen: ChosenOptions = {}): Uint8Array {
    const { harts, ramBase, ramSize, isa, mmuType } = this.options;
    const fdt = new FdtBuilder();
    const cpu: number[] = [];
    const cpuIntc: number[] = [];
    for (let h = 0; h < harts; h++) {
      cpu.push(fdt.allocPhandle());
      cpuIntc.push(fdt.allocPhandle());
    }
    const ph: FdtPhandles = { cpu, cpuIntc, plic: fdt.allocPhandle(), test: fdt.allocPhandle() };

    fdt.beginNode('');
    fdt.propU32('#address-cells', 2);
    fdt.propU32('#size-cells', 2);
    fdt.propString('compatible', 'riscv-virtio');
    fdt.propString('model', 'riscv-virtio,qemu');

    fdt.beginNode('chosen');
    if (chosen.bootargs !== undefined && chosen.bootargs !== '') fdt.propString('bootargs', chosen.bootargs);
    fdt.propString('stdout-path', this.stdoutPath);
    if (chosen.initrdStart !== undefined && chosen.initrdEnd !== undefined) {
      fdt.propU64('linux,initrd-start', chosen.initrdStart);
      fdt.propU64('linux,initrd-end', chosen.initrdEnd);
    }
    fdt.endNode();

    for (const d of this.devices) d.fdtRoot?.(fdt, ph);

    fdt.beginNode(`memory@${hex(ramBase)}`);
    fdt.propString('device_type', 'memory');
    fdt.propU64('reg', BigInt(ramBase), BigInt(ramSize));
    fdt.endNode();

    fdt.beginNode('cpus');
    fdt.propU32('#address-cells', 1);
    fdt.propU32('#size-cells', 0);
    fdt.propU32('timebase-frequency', TIMEBASE_HZ);
    for (let h = 0; h < harts; h++) {
      fdt.beginNode(`cpu@${h}`);
      fdt.propU32('phandle', cpu[h]);
      fdt.propString('device_type', 'cpu');
      fdt.propU32('reg', h);
      fdt.propString('status', 'okay');
      fdt.propString('compatible', 'riscv');
      fdt.propString('riscv,isa', isa);
      fdt.propString('mmu-type', mmuType);
      fdt.beginNode('interrupt-controller');
      fdt.propU32('#address-cells', 0);
      fdt.propU32('#interrupt-cells', 1);
      fdt.propEmpty('interrupt-controller');
      fdt.propString('compatible', 'riscv,cpu-intc');
      fdt.propU32('phandle', cpuIntc[h]);
      fdt.endNode();
      fdt.endNode();
    }
    fdt.beginNode('cpu-map');
    fdt.beginNode('cluster0');
    for (let h = 0; h < harts; h++) {
      fdt.beginNode(`core${h}`);
      fdt.propU32('cpu', cpu[h]);
      fdt.endNode();
    }
    fdt.endNode();
    fdt.endNode();
    fdt.endNode(); // cpus

    fdt.beginNode('soc');
    fdt.propU32('#address-cells', 2);
    fdt.propU32('#size-cells', 2);
    fdt.propString('compatible', 'simple-bus');
    fdt.propEmpty('ranges');
    for (const d of this.devices) d.fdtSoc?.(fdt, ph);
    fdt.endNode();

    fdt.endNode(); // root
    return fdt.finish();
  }

  /** Polls time-driven devices (CLINT timers, RTC alarm); the scheduler calls this between slices. */
  update(): void {
    this.clint.update();
    this.rtc.update();
    this.uart.pumpInput(); // host input beyond the UART's shared ring (threaded: hart threads drain the ring)
  }
}

export type { PowerRequest };
