/**
 * CSR numbers and names (Priv spec 1.12, Table 2.2-2.6; Sstc; Zicntr/Zihpm).
 * Only numbers and names live here; behaviour (access predicates, WARL masks) is in
 * core/cpu/csr.ts. Bits 11:10 of the number say read-only (0b11), bits 9:8 the lowest privilege.
 */

// Unprivileged floating point
export const CSR_FFLAGS = 0x001;
export const CSR_FRM = 0x002;
export const CSR_FCSR = 0x003;
// Unprivileged counters (Zicntr, Zihpm)
export const CSR_CYCLE = 0xc00;
export const CSR_TIME = 0xc01;
export const CSR_INSTRET = 0xc02;
export const CSR_HPMCOUNTER3 = 0xc03; // .. 0xc1f
// Supervisor
export const CSR_SSTATUS = 0x100;
export const CSR_SIE = 0x104;
export const CSR_STVEC = 0x105;
export const CSR_SCOUNTEREN = 0x106;
export const CSR_SENVCFG = 0x10a;
export const CSR_SSCRATCH = 0x140;
export const CSR_SEPC = 0x141;
export const CSR_SCAUSE = 0x142;
export const CSR_STVAL = 0x143;
export const CSR_SIP = 0x144;
export const CSR_STIMECMP = 0x14d;
export const CSR_SATP = 0x180;
// Machine information
export const CSR_MVENDORID = 0xf11;
export const CSR_MARCHID = 0xf12;
export const CSR_MIMPID = 0xf13;
export const CSR_MHARTID = 0xf14;
export const CSR_MCONFIGPTR = 0xf15;
// Machine trap setup / handling
export const CSR_MSTATUS = 0x300;
export const CSR_MISA = 0x301;
export const CSR_MEDELEG = 0x302;
export const CSR_MIDELEG = 0x303;
export const CSR_MIE = 0x304;
export const CSR_MTVEC = 0x305;
export const CSR_MCOUNTEREN = 0x306;
export const CSR_MENVCFG = 0x30a;
export const CSR_MCOUNTINHIBIT = 0x320;
export const CSR_MHPMEVENT3 = 0x323; // .. 0x33f
export const CSR_MSCRATCH = 0x340;
export const CSR_MEPC = 0x341;
export const CSR_MCAUSE = 0x342;
export const CSR_MTVAL = 0x343;
export const CSR_MIP = 0x344;
export const CSR_MTINST = 0x34a;
export const CSR_MTVAL2 = 0x34b;
// PMP
export const CSR_PMPCFG0 = 0x3a0; // pmpcfg0, pmpcfg2 on RV64 (odd numbers are illegal)
export const CSR_PMPADDR0 = 0x3b0; // .. 0x3bf for 16 entries (0x3b0..0x3ef exist in the spec)
// Machine counters
export const CSR_MCYCLE = 0xb00;
export const CSR_MINSTRET = 0xb02;
export const CSR_MHPMCOUNTER3 = 0xb03; // .. 0xb1f
// Debug/trace (tselect etc.) are not implemented: they read as illegal except tselect.
export const CSR_TSELECT = 0x7a0;
export const CSR_TDATA1 = 0x7a1;

/** Names by number, for the disassembler and error messages (objdump's spelling). */
export const CSR_NAMES: ReadonlyMap<number, string> = new Map<number, string>([
  [CSR_FFLAGS, 'fflags'],
  [CSR_FRM, 'frm'],
  [CSR_FCSR, 'fcsr'],
  [CSR_CYCLE, 'cycle'],
  [CSR_TIME, 'time'],
  [CSR_INSTRET, 'instret'],
  ...Array.from({ length: 29 }, (_, k): [number, string] => [CSR_HPMCOUNTER3 + k, `hpmcounter${k + 3}`]),
  [CSR_SSTATUS, 'sstatus'],
  [CSR_SIE, 'sie'],
  [CSR_STVEC, 'stvec'],
  [CSR_SCOUNTEREN, 'scounteren'],
  [CSR_SENVCFG, 'senvcfg'],
  [CSR_SSCRATCH, 'sscratch'],
  [CSR_SEPC, 'sepc'],
  [CSR_SCAUSE, 'scause'],
  [CSR_STVAL, 'stval'],
  [CSR_SIP, 'sip'],
  [CSR_STIMECMP, 'stimecmp'],
  [CSR_SATP, 'satp'],
  [CSR_MVENDORID, 'mvendorid'],
  [CSR_MARCHID, 'marchid'],
  [CSR_MIMPID, 'mimpid'],
  [CSR_MHARTID, 'mhartid'],
  [CSR_MCONFIGPTR, 'mconfigptr'],
  [CSR_MSTATUS, 'mstatus'],
  [CSR_MISA, 'misa'],
  [CSR_MEDELEG, 'medeleg'],
  [CSR_MIDELEG, 'mideleg'],
  [CSR_MIE, 'mie'],
  [CSR_MTVEC, 'mtvec'],
  [CSR_MCOUNTEREN, 'mcounteren'],
  [CSR_MENVCFG, 'menvcfg'],
  [CSR_MCOUNTINHIBIT, 'mcountinhibit'],
  ...Array.from({ length: 29 }, (_, k): [number, string] => [CSR_MHPMEVENT3 + k, `mhpmevent${k + 3}`]),
  [CSR_MSCRATCH, 'mscratch'],
  [CSR_MEPC, 'mepc'],
  [CSR_MCAUSE, 'mcause'],
  [CSR_MTVAL, 'mtval'],
  [CSR_MIP, 'mip'],
  [CSR_MTINST, 'mtinst'],
  [CSR_MTVAL2, 'mtval2'],
  ...Array.from({ length: 16 }, (_, k): [number, string] => [CSR_PMPCFG0 + k, `pmpcfg${k}`]),
  ...Array.from({ length: 64 }, (_, k): [number, string] => [CSR_PMPADDR0 + k, `pmpaddr${k}`]),
  [CSR_MCYCLE, 'mcycle'],
  [CSR_MINSTRET, 'minstret'],
  ...Array.from({ length: 29 }, (_, k): [number, string] => [CSR_MHPMCOUNTER3 + k, `mhpmcounter${k + 3}`]),
  [CSR_TSELECT, 'tselect'],
  [CSR_TDATA1, 'tdata1'],
]);

// ---- bit fields (Priv §3.1) ----
export const MSTATUS_SIE = 1 << 1;
export const MSTATUS_MIE = 1 << 3;
export const MSTATUS_SPIE = 1 << 5;
export const MSTATUS_UBE = 1 << 6;
export const MSTATUS_MPIE = 1 << 7;
export const MSTATUS_SPP = 1 << 8;
export const MSTATUS_VS = 3 << 9;
export const MSTATUS_MPP = 3 << 11;
export const MSTATUS_MPP_SHIFT = 11;
export const MSTATUS_FS = 3 << 13;
export const MSTATUS_FS_SHIFT = 13;
export const MSTATUS_XS = 3 << 15;
export const MSTATUS_MPRV = 1 << 17;
export const MSTATUS_SUM = 1 << 18;
export const MSTATUS_MXR = 1 << 19;
export const MSTATUS_TVM = 1 << 20;
export const MSTATUS_TW = 1 << 21;
export const MSTATUS_TSR = 1 << 22;
/** High word (bits 63:32) of mstatus: UXL = bits 33:32, SXL = 35:34, SD = bit 63. */
export const MSTATUS_HI_UXL = 3;
export const MSTATUS_HI_SXL = 3 << 2;
export const MSTATUS_HI_SD = 1 << 31;

/** Interrupt numbers (mip/mie bits, mcause with the interrupt bit set). */
export const IRQ_SSI = 1;
export const IRQ_MSI = 3;
export const IRQ_STI = 5;
export const IRQ_MTI = 7;
export const IRQ_SEI = 9;
export const IRQ_MEI = 11;
export const MIP_SSIP = 1 << IRQ_SSI;
export const MIP_MSIP = 1 << IRQ_MSI;
export const MIP_STIP = 1 << IRQ_STI;
export const MIP_MTIP = 1 << IRQ_MTI;
export const MIP_SEIP = 1 << IRQ_SEI;
export const MIP_MEIP = 1 << IRQ_MEI;

/** Exception codes (mcause with the interrupt bit clear), Priv Table 3.6. */
export const EXC_INSN_MISALIGNED = 0;
export const EXC_INSN_ACCESS = 1;
export const EXC_ILLEGAL_INSN = 2;
export const EXC_BREAKPOINT = 3;
export const EXC_LOAD_MISALIGNED = 4;
export const EXC_LOAD_ACCESS = 5;
export const EXC_STORE_MISALIGNED = 6;
export const EXC_STORE_ACCESS = 7;
export const EXC_ECALL_U = 8;
export const EXC_ECALL_S = 9;
export const EXC_ECALL_M = 11;
export const EXC_INSN_PAGE_FAULT = 12;
export const EXC_LOAD_PAGE_FAULT = 13;
export const EXC_STORE_PAGE_FAULT = 15;

/** Privilege levels. */
export const PRV_U = 0;
export const PRV_S = 1;
export const PRV_M = 3;

/** satp MODE values (bits 63:60). */
export const SATP_MODE_BARE = 0;
export const SATP_MODE_SV39 = 8;
export const SATP_MODE_SV48 = 9;
export const SATP_MODE_SV57 = 10;
