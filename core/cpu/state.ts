/**
 * Layout of a hart's state block inside the shared guest memory (GuestMemory.hartStateOffset),
 * as indices into an Int32Array over the block. 64-bit values are (low, high) word pairs; the
 * block is 8-byte aligned so f registers and counters can also be read as Float64.
 *
 * Everything architectural lives here, so a snapshot is a copy of the block (plus flushing the
 * TLB, which is derived state) and another thread or a JIT can read registers in place.
 */

/** x0..x31: x[i] low word at X + 2i, high word at X + 2i + 1. */
export const S_X = 0;
/** f0..f31, same pairing (a single is NaN-boxed). */
export const S_F = 64;
export const S_PC = 128;
/** Current privilege level (0 U, 1 S, 3 M). */
export const S_PRIV = 130;
/**
 * mip bits driven by hardware lines (MSIP, MTIP, SEIP, MEIP from CLINT/PLIC), updated with
 * Atomics.or/and so another thread may raise them; the hart ORs them into mip.
 */
export const S_MIP_HW = 131;
/** Attention word: non-zero asks the hart to return from run() at the next slice check. */
export const S_ATTENTION = 132;
export const S_FFLAGS = 133;
export const S_FRM = 134;
/** 1 while the hart sleeps in WFI. */
export const S_WFI = 135;
/** LR reservation: valid flag, address (lo, hi), loaded value (lo, hi) and size. */
export const S_RES_VALID = 136;
export const S_RES_ADDR = 137;
export const S_RES_VALUE = 139;
export const S_RES_SIZE = 141;

// 64-bit CSRs, two words each
export const S_MSTATUS = 160;
export const S_MEDELEG = 162;
export const S_MIDELEG = 164;
export const S_MIE = 166;
/** Software-writable mip bits (SSIP, STIP when Sstc is off, SEIP written by M-mode). */
export const S_MIP = 168;
export const S_MTVEC = 170;
export const S_MCOUNTEREN = 172;
export const S_MENVCFG = 174;
export const S_MCOUNTINHIBIT = 176;
export const S_MSCRATCH = 178;
export const S_MEPC = 180;
export const S_MCAUSE = 182;
export const S_MTVAL = 184;
export const S_STVEC = 186;
export const S_SCOUNTEREN = 188;
export const S_SENVCFG = 190;
export const S_SSCRATCH = 192;
export const S_SEPC = 194;
export const S_SCAUSE = 196;
export const S_STVAL = 198;
export const S_STIMECMP = 200;
export const S_SATP = 202;
/** mcycle and minstret as Float64 (exact to 2^53) at word offsets 204 and 206. */
export const S_MCYCLE = 204;
export const S_MINSTRET = 206;
/** pmpcfg0 and pmpcfg2: 16 one-byte entries in 4 words. */
export const S_PMPCFG = 208;
/** pmpaddr0..15, two words each. */
export const S_PMPADDR = 212;
export const S_END = 244;

/**
 * Drives hardware mip bits of a hart from any thread, given an Int32Array over its state block
 * (the device thread's CLINT/PLIC use this; Hart.setInterruptLevel does the same locally and
 * also makes a running hart re-check at once). The hart samples the word at slice boundaries.
 */
export function setHartInterruptLevel(block: Int32Array, mask: number, level: boolean): void {
  if (level) Atomics.or(block, S_MIP_HW, mask);
  else Atomics.and(block, S_MIP_HW, ~mask);
}

/** Asks a hart (on any thread) to return RUN_ATTENTION from run() at its next check. */
export function requestHartAttention(block: Int32Array): void {
  Atomics.store(block, S_ATTENTION, 1);
}
