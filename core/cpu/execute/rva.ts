/**
 * A extension (Unpriv §8): the read-modify-write of each AMO, given the old memory value and
 * rs2, into amoLo/amoHi. LR/SC follow QEMU's TCG: LR records the address and the loaded value;
 * SC succeeds when its address matches and memory still holds that value (compare-and-exchange),
 * which keeps working when harts run on several threads with Atomics.
 */

export const AMO_ADD = 0x00;
export const AMO_SWAP = 0x01;
export const AMO_LR = 0x02;
export const AMO_SC = 0x03;
export const AMO_XOR = 0x04;
export const AMO_OR = 0x08;
export const AMO_AND = 0x0c;
export const AMO_MIN = 0x10;
export const AMO_MAX = 0x14;
export const AMO_MINU = 0x18;
export const AMO_MAXU = 0x1c;

/** Whether funct5 names an AMO this hart implements. */
export function isAmo(funct5: number): boolean {
  switch (funct5) {
    case AMO_ADD:
    case AMO_SWAP:
    case AMO_LR:
    case AMO_SC:
    case AMO_XOR:
    case AMO_OR:
    case AMO_AND:
    case AMO_MIN:
    case AMO_MAX:
    case AMO_MINU:
    case AMO_MAXU:
      return true;
    default:
      return false;
  }
}

export let amoLo = 0;
export let amoHi = 0;

/** 64-bit AMO: new value from old (olo, ohi) and rs2 (blo, bhi). */
export function amo64(f5: number, olo: number, ohi: number, blo: number, bhi: number): void {
  switch (f5) {
    case AMO_SWAP:
      amoLo = blo;
      amoHi = bhi;
      return;
    case AMO_ADD: {
      const lo = (olo + blo) | 0;
      amoHi = (ohi + bhi + (lo >>> 0 < olo >>> 0 ? 1 : 0)) | 0;
      amoLo = lo;
      return;
    }
    case AMO_XOR:
      amoLo = olo ^ blo;
      amoHi = ohi ^ bhi;
      return;
    case AMO_AND:
      amoLo = olo & blo;
      amoHi = ohi & bhi;
      return;
    case AMO_OR:
      amoLo = olo | blo;
      amoHi = ohi | bhi;
      return;
    default: {
      const lessSigned = ohi < bhi || (ohi === bhi && olo >>> 0 < blo >>> 0);
      const lessUnsigned = ohi >>> 0 < bhi >>> 0 || (ohi === bhi && olo >>> 0 < blo >>> 0);
      const takeOld =
        f5 === AMO_MIN ? lessSigned : f5 === AMO_MAX ? !lessSigned : f5 === AMO_MINU ? lessUnsigned : !lessUnsigned;
      amoLo = takeOld ? olo : blo;
      amoHi = takeOld ? ohi : bhi;
    }
  }
}

/** 32-bit AMO: new value from old and rs2 (both int32). */
export function amo32(f5: number, o: number, b: number): number {
  switch (f5) {
    case AMO_SWAP:
      return b;
    case AMO_ADD:
      return (o + b) | 0;
    case AMO_XOR:
      return o ^ b;
    case AMO_AND:
      return o & b;
    case AMO_OR:
      return o | b;
    case AMO_MIN:
      return o < b ? o : b;
    case AMO_MAX:
      return o > b ? o : b;
    case AMO_MINU:
      return o >>> 0 < b >>> 0 ? o : b;
    default:
      return o >>> 0 > b >>> 0 ? o : b;
  }
}
