/**
 * The contract between the hart and the floating-point unit (core/cpu/execute/rvfd.ts).
 *
 * The hart owns loads/stores of FP registers (FLW/FLD/FSW/FSD and compressed forms), the
 * mstatus.FS checks (illegal when Off, Dirty after any write) and the fcsr/frm/fflags CSRs.
 * `executeFp(s, insn)` handles major opcodes 0x43/0x47/0x4b/0x4f (FMADD/FMSUB/FNMSUB/FNMADD)
 * and 0x53 (OP-FP) and returns 0 on success or -1 for an illegal encoding (reserved rounding
 * mode, unknown funct7, ...), in which case it must not have changed any state.
 */
export interface FpuState {
  /** Integer registers: x[i] low word at 2*i, high word at 2*i+1. Never write index 0/1. */
  readonly x: Int32Array;
  /** FP registers, same pairing; a single is NaN-boxed (high word 0xffffffff). */
  readonly f: Int32Array;
  /** Aliases f: f64[i] is f[i] as a double. */
  readonly f64: Float64Array;
  /** Aliases f: f32[2*i] is the low word of f[i] as a single. */
  readonly f32: Float32Array;
  /** Dynamic rounding mode (fcsr bits 7:5). */
  frm: number;
  /** Accrued exceptions (fcsr bits 4:0): executeFp ORs into it. */
  fflags: number;
}

/** Signature of the FP execute function provided by rvfd.ts. */
export type ExecuteFp = (s: FpuState, insn: number) => number;
