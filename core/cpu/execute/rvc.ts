/**
 * C extension (Unpriv §16): every 16-bit instruction expands to its 32-bit equivalent, looked up
 * in a 64 Ki-entry table built once at load (256 KiB). The hart then runs the 32-bit form with
 * a length of 2. Reserved and illegal encodings expand to 0, which the hart traps as illegal
 * with the original 16 bits in mtval. (Measured: a table lookup is cheaper than a second decode
 * switch, and keeps one copy of every semantic.)
 */
import {
  cImm6,
  cImmAddi16sp,
  cImmAddi4spn,
  cImmB,
  cImmJ,
  cRdP,
  cRs1P,
  cShamt,
  cUimmD,
  cUimmLdsp,
  cUimmLwsp,
  cUimmSdsp,
  cUimmSwsp,
  cUimmW,
} from '../../isa/fields.js';

const OP_LOAD = 0x03;
const OP_LOAD_FP = 0x07;
const OP_IMM = 0x13;
const OP_IMM32 = 0x1b;
const OP_STORE = 0x23;
const OP_STORE_FP = 0x27;
const OP = 0x33;
const OP_LUI = 0x37;
const OP32 = 0x3b;
const OP_BRANCH = 0x63;
const OP_JALR = 0x67;
const OP_JAL = 0x6f;

const encI = (op: number, f3: number, rd: number, rs1: number, imm: number): number =>
  ((imm & 0xfff) << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) | op;
const encS = (op: number, f3: number, rs1: number, rs2: number, imm: number): number =>
  (((imm >> 5) & 0x7f) << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12) | ((imm & 31) << 7) | op;
const encR = (op: number, f7: number, f3: number, rd: number, rs1: number, rs2: number): number =>
  (f7 << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) | op;
const encB = (f3: number, rs1: number, rs2: number, imm: number): number =>
  (((imm >> 12) & 1) << 31) |
  (((imm >> 5) & 0x3f) << 25) |
  (rs2 << 20) |
  (rs1 << 15) |
  (f3 << 12) |
  (((imm >> 1) & 0xf) << 8) |
  (((imm >> 11) & 1) << 7) |
  OP_BRANCH;
const encJ = (rd: number, imm: number): number =>
  (((imm >> 20) & 1) << 31) |
  (((imm >> 1) & 0x3ff) << 21) |
  (((imm >> 11) & 1) << 20) |
  (imm & 0xff000) |
  (rd << 7) |
  OP_JAL;

/** The 32-bit instruction a 16-bit one stands for, or 0 when it is reserved or illegal. */
export function expandCompressed(h: number): number {
  const f3 = (h >>> 13) & 7;
  const rd = (h >>> 7) & 31;
  const rs2 = (h >>> 2) & 31;
  switch (h & 3) {
    case 0:
      switch (f3) {
        case 0: {
          const imm = cImmAddi4spn(h);
          return imm === 0 ? 0 : encI(OP_IMM, 0, cRdP(h), 2, imm);
        }
        case 1:
          return encI(OP_LOAD_FP, 3, cRdP(h), cRs1P(h), cUimmD(h));
        case 2:
          return encI(OP_LOAD, 2, cRdP(h), cRs1P(h), cUimmW(h));
        case 3:
          return encI(OP_LOAD, 3, cRdP(h), cRs1P(h), cUimmD(h));
        case 5:
          return encS(OP_STORE_FP, 3, cRs1P(h), cRdP(h), cUimmD(h));
        case 6:
          return encS(OP_STORE, 2, cRs1P(h), cRdP(h), cUimmW(h));
        case 7:
          return encS(OP_STORE, 3, cRs1P(h), cRdP(h), cUimmD(h));
        default:
          return 0;
      }
    case 1:
      switch (f3) {
        case 0:
          return encI(OP_IMM, 0, rd, rd, cImm6(h));
        case 1:
          return rd === 0 ? 0 : encI(OP_IMM32, 0, rd, rd, cImm6(h));
        case 2:
          return encI(OP_IMM, 0, rd, 0, cImm6(h));
        case 3:
          if (rd === 2) {
            const imm = cImmAddi16sp(h);
            return imm === 0 ? 0 : encI(OP_IMM, 0, 2, 2, imm);
          } else {
            const imm = cImm6(h);
            return imm === 0 ? 0 : ((imm << 12) & 0xfffff000) | (rd << 7) | OP_LUI;
          }
        case 4: {
          const r = cRs1P(h);
          switch ((h >>> 10) & 3) {
            case 0:
              return encI(OP_IMM, 5, r, r, cShamt(h));
            case 1:
              return encI(OP_IMM, 5, r, r, cShamt(h) | 0x400);
            case 2:
              return encI(OP_IMM, 7, r, r, cImm6(h));
            default: {
              const r2 = cRdP(h);
              const f2 = (h >>> 5) & 3;
              if ((h & 0x1000) === 0) {
                switch (f2) {
                  case 0:
                    return encR(OP, 0x20, 0, r, r, r2);
                  case 1:
                    return encR(OP, 0, 4, r, r, r2);
                  case 2:
                    return encR(OP, 0, 6, r, r, r2);
                  default:
                    return encR(OP, 0, 7, r, r, r2);
                }
              }
              if (f2 === 0) return encR(OP32, 0x20, 0, r, r, r2);
              if (f2 === 1) return encR(OP32, 0, 0, r, r, r2);
              return 0;
            }
          }
        }
        case 5:
          return encJ(0, cImmJ(h));
        case 6:
          return encB(0, cRs1P(h), 0, cImmB(h));
        default:
          return encB(1, cRs1P(h), 0, cImmB(h));
      }
    case 2:
      switch (f3) {
        case 0:
          return encI(OP_IMM, 1, rd, rd, cShamt(h));
        case 1:
          return encI(OP_LOAD_FP, 3, rd, 2, cUimmLdsp(h));
        case 2:
          return rd === 0 ? 0 : encI(OP_LOAD, 2, rd, 2, cUimmLwsp(h));
        case 3:
          return rd === 0 ? 0 : encI(OP_LOAD, 3, rd, 2, cUimmLdsp(h));
        case 4:
          if ((h & 0x1000) === 0) {
            if (rs2 === 0) return rd === 0 ? 0 : encI(OP_JALR, 0, 0, rd, 0);
            return encR(OP, 0, 0, rd, 0, rs2);
          }
          if (rs2 === 0) return rd === 0 ? 0x00100073 : encI(OP_JALR, 0, 1, rd, 0);
          return encR(OP, 0, 0, rd, rd, rs2);
        case 5:
          return encS(OP_STORE_FP, 3, 2, rs2, cUimmSdsp(h));
        case 6:
          return encS(OP_STORE, 2, 2, rs2, cUimmSwsp(h));
        default:
          return encS(OP_STORE, 3, 2, rs2, cUimmSdsp(h));
      }
    default:
      return 0;
  }
}

/** EXPANDED[h] = expandCompressed(h) for every halfword (0 for 32-bit prefixes and illegal ones). */
export const EXPANDED: Int32Array = (() => {
  const t = new Int32Array(65536);
  for (let h = 0; h < 65536; h++) t[h] = (h & 3) === 3 ? 0 : expandCompressed(h);
  return t;
})();
