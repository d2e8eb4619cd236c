/**
 * Zicsr: CSRRW/CSRRS/CSRRC and their immediate forms (Unpriv §9.1, Priv §2.1).
 * CSRRW with rd=x0 does not read; CSRRS/CSRRC with rs1=x0 (or uimm=0) do not write, so they
 * may read read-only CSRs. Any other access to a missing, too-privileged or read-only CSR, or
 * one whose predicate refuses, is an illegal instruction with the instruction bits in xtval.
 */
import { EXC_ILLEGAL_INSN } from '../../isa/csr.js';
import { CSR_TABLE } from '../csr.js';
import type { Hart } from '../hart.js';

export function executeCsr(h: Hart, insn: number): void {
  const f3 = (insn >>> 12) & 7;
  const csr = insn >>> 20;
  const rd = (insn >>> 7) & 31;
  const rs1 = (insn >>> 15) & 31;
  const op = f3 & 3;
  const immediate = (f3 & 4) !== 0;
  const spec = CSR_TABLE[csr];
  const write = op === 1 || rs1 !== 0;
  if (spec === undefined || op === 0 || h.priv < ((csr >>> 8) & 3) || (write && csr >>> 10 === 3)) {
    h.raise(EXC_ILLEGAL_INSN, insn, 0);
    return;
  }
  if (spec.predicate !== undefined) {
    const e = spec.predicate(h, write);
    if (e >= 0) {
      h.raise(e, insn, 0);
      return;
    }
  }
  if (write && spec.write === undefined) {
    h.raise(EXC_ILLEGAL_INSN, insn, 0);
    return;
  }
  const srcLo = immediate ? rs1 : h.s[2 * rs1];
  const srcHi = immediate ? 0 : h.s[2 * rs1 + 1];
  let oldLo = 0;
  let oldHi = 0;
  if (op !== 1 || rd !== 0) {
    oldLo = spec.read(h);
    oldHi = h.csrHi;
  }
  if (write && spec.write !== undefined) {
    if (op === 1) spec.write(h, srcLo, srcHi);
    else {
      let baseLo = oldLo;
      let baseHi = oldHi;
      if (spec.readToModify !== undefined) {
        baseLo = spec.readToModify(h);
        baseHi = h.csrHi;
      }
      if (op === 2) spec.write(h, baseLo | srcLo, baseHi | srcHi);
      else spec.write(h, baseLo & ~srcLo, baseHi & ~srcHi);
    }
  }
  if (rd !== 0) {
    h.s[2 * rd] = oldLo;
    h.s[2 * rd + 1] = oldHi;
  }
}
