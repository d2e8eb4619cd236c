/**
 * The RV64GC (+ Zba/Zbb/Zbc/Zbs, Zicsr, Zifencei, Zihintpause, privileged) instruction table as
 * data, in the spirit of QEMU's insn32.decode / insn16.decode. It is the one source for the
 * decoder tests, the disassembler, the assembler and the editor's completions.
 *
 * Each line reads: mnemonic, bit pattern (MSB first; `0`/`1` fixed, `.` a field), format,
 * extension, assembly syntax (operand field names from ./fields.ts, `imm(rs1)` for memory), and
 * optional flags after `|`:
 *   - `aqrl`     the mnemonic takes `.aq`, `.rl` or `.aqrl` from bits 26:25 (objdump style)
 *   - `rm`       the instruction has a rounding-mode field (objdump prints it when not `dyn`)
 *   - `nz:F`     field F must not be 0 (otherwise the encoding is reserved, or a HINT for
 *                those marked `hint:` below; the hart traps reserved ones as illegal)
 *   - `ne:F=V`   field F must not equal V
 *   - `=X`       for compressed entries: the 32-bit instruction it expands to
 *
 * Entries are ordered so that the first match wins where patterns overlap (c.nop before c.addi,
 * c.ebreak before c.jalr before c.add, fence.tso / pause before fence).
 *
 * FENCE and FENCE.I are listed with their reserved fields (fm, rs1, rd, imm) zero, as objdump
 * decodes them; the hart, like QEMU, executes the reserved variants as the plain instruction
 * (Unpriv §2.7: "implementations shall ignore" these fields).
 */

import { FIELDS, type FieldName } from './fields.js';

export type Extension =
  | 'I'
  | 'M'
  | 'A'
  | 'F'
  | 'D'
  | 'C'
  | 'Zicsr'
  | 'Zifencei'
  | 'Zihintpause'
  | 'Zba'
  | 'Zbb'
  | 'Zbc'
  | 'Zbs'
  | 'Priv';

export type Format =
  | 'R'
  | 'R4'
  | 'I'
  | 'S'
  | 'B'
  | 'U'
  | 'J'
  | 'CR'
  | 'CI'
  | 'CSS'
  | 'CIW'
  | 'CL'
  | 'CS'
  | 'CA'
  | 'CB'
  | 'CJ';

export interface InstructionSpec {
  /** Mnemonic as objdump prints it with -M no-aliases (e.g. `c.addi`, `fmadd.d`, `amoadd.w`). */
  readonly name: string;
  /** `(insn & mask) === match` identifies the instruction (before field constraints). */
  readonly mask: number;
  readonly match: number;
  /** 4 for 32-bit instructions, 2 for compressed ones. */
  readonly length: 2 | 4;
  readonly format: Format;
  readonly extension: Extension;
  /** Operand template, e.g. `rd, rs1, imm_i` or `fd, imm_i(rs1)`; names are keys of FIELDS. */
  readonly syntax: string;
  /** Operand field names in the order they appear in `syntax`. */
  readonly operands: readonly FieldName[];
  /** Mnemonic gets `.aq` / `.rl` / `.aqrl` suffixes from bits 26:25. */
  readonly aqrl: boolean;
  /** Has a rounding-mode field. */
  readonly hasRm: boolean;
  /** Fields that must be non-zero for the encoding to be valid. */
  readonly nonZero: readonly FieldName[];
  /** Fields that must not take a given value for the encoding to be valid. */
  readonly notEqual: readonly { readonly field: FieldName; readonly value: number }[];
  /** Compressed entries: the mnemonic of the 32-bit instruction it expands to. */
  readonly expandsTo?: string;
}

// prettier-ignore
const RV32_64 = `
# ---- RV64I (Unpriv §2, §5) ----
lui        ....................  .....  0110111   U  I  rd, imm_u
auipc      ....................  .....  0010111   U  I  rd, imm_u
jal        ....................  .....  1101111   J  I  rd, imm_j
jalr       ............ ..... 000 .....  1100111   I  I  rd, imm_i(rs1)
beq        ....... ..... ..... 000 .....  1100011  B  I  rs1, rs2, imm_b
bne        ....... ..... ..... 001 .....  1100011  B  I  rs1, rs2, imm_b
blt        ....... ..... ..... 100 .....  1100011  B  I  rs1, rs2, imm_b
bge        ....... ..... ..... 101 .....  1100011  B  I  rs1, rs2, imm_b
bltu       ....... ..... ..... 110 .....  1100011  B  I  rs1, rs2, imm_b
bgeu       ....... ..... ..... 111 .....  1100011  B  I  rs1, rs2, imm_b
lb         ............ ..... 000 .....  0000011   I  I  rd, imm_i(rs1)
lh         ............ ..... 001 .....  0000011   I  I  rd, imm_i(rs1)
lw         ............ ..... 010 .....  0000011   I  I  rd, imm_i(rs1)
ld         ............ ..... 011 .....  0000011   I  I  rd, imm_i(rs1)
lbu        ............ ..... 100 .....  0000011   I  I  rd, imm_i(rs1)
lhu        ............ ..... 101 .....  0000011   I  I  rd, imm_i(rs1)
lwu        ............ ..... 110 .....  0000011   I  I  rd, imm_i(rs1)
sb         ....... ..... ..... 000 .....  0100011  S  I  rs2, imm_s(rs1)
sh         ....... ..... ..... 001 .....  0100011  S  I  rs2, imm_s(rs1)
sw         ....... ..... ..... 010 .....  0100011  S  I  rs2, imm_s(rs1)
sd         ....... ..... ..... 011 .....  0100011  S  I  rs2, imm_s(rs1)
addi       ............ ..... 000 .....  0010011   I  I  rd, rs1, imm_i
slti       ............ ..... 010 .....  0010011   I  I  rd, rs1, imm_i
sltiu      ............ ..... 011 .....  0010011   I  I  rd, rs1, imm_i
xori       ............ ..... 100 .....  0010011   I  I  rd, rs1, imm_i
ori        ............ ..... 110 .....  0010011   I  I  rd, rs1, imm_i
andi       ............ ..... 111 .....  0010011   I  I  rd, rs1, imm_i
slli       000000 ...... ..... 001 ..... 0010011   I  I  rd, rs1, shamt
srli       000000 ...... ..... 101 ..... 0010011   I  I  rd, rs1, shamt
srai       010000 ...... ..... 101 ..... 0010011   I  I  rd, rs1, shamt
add        0000000 ..... ..... 000 ..... 0110011   R  I  rd, rs1, rs2
sub        0100000 ..... ..... 000 ..... 0110011   R  I  rd, rs1, rs2
sll        0000000 ..... ..... 001 ..... 0110011   R  I  rd, rs1, rs2
slt        0000000 ..... ..... 010 ..... 0110011   R  I  rd, rs1, rs2
sltu       0000000 ..... ..... 011 ..... 0110011   R  I  rd, rs1, rs2
xor        0000000 ..... ..... 100 ..... 0110011   R  I  rd, rs1, rs2
srl        0000000 ..... ..... 101 ..... 0110011   R  I  rd, rs1, rs2
sra        0100000 ..... ..... 101 ..... 0110011   R  I  rd, rs1, rs2
or         0000000 ..... ..... 110 ..... 0110011   R  I  rd, rs1, rs2
and        0000000 ..... ..... 111 ..... 0110011   R  I  rd, rs1, rs2
addiw      ............ ..... 000 .....  0011011   I  I  rd, rs1, imm_i
slliw      0000000 ..... ..... 001 ..... 0011011   I  I  rd, rs1, shamtw
srliw      0000000 ..... ..... 101 ..... 0011011   I  I  rd, rs1, shamtw
sraiw      0100000 ..... ..... 101 ..... 0011011   I  I  rd, rs1, shamtw
addw       0000000 ..... ..... 000 ..... 0111011   R  I  rd, rs1, rs2
subw       0100000 ..... ..... 000 ..... 0111011   R  I  rd, rs1, rs2
sllw       0000000 ..... ..... 001 ..... 0111011   R  I  rd, rs1, rs2
srlw       0000000 ..... ..... 101 ..... 0111011   R  I  rd, rs1, rs2
sraw       0100000 ..... ..... 101 ..... 0111011   R  I  rd, rs1, rs2
# FENCE hints first: fence.tso (fm=1000, rw,rw) and pause (pred=W, succ=0; Zihintpause)
fence.tso  1000 0011 0011 00000 000 00000 0001111  I  I
pause      0000 0001 0000 00000 000 00000 0001111  I  Zihintpause
fence      0000 .... .... 00000 000 00000 0001111  I  I  pred, succ
fence.i    000000000000 00000 001 00000 0001111    I  Zifencei
ecall      000000000000 00000 000 00000 1110011    I  I
ebreak     000000000001 00000 000 00000 1110011    I  I

# ---- Privileged (Priv §3.3, §4.2.1) ----
sret       0001000 00010 00000 000 00000 1110011   R  Priv
mret       0011000 00010 00000 000 00000 1110011   R  Priv
wfi        0001000 00101 00000 000 00000 1110011   R  Priv
sfence.vma 0001001 ..... ..... 000 00000 1110011   R  Priv  rs1, rs2

# ---- Zicsr ----
csrrw      ............ ..... 001 ..... 1110011    I  Zicsr  rd, csr, rs1
csrrs      ............ ..... 010 ..... 1110011    I  Zicsr  rd, csr, rs1
csrrc      ............ ..... 011 ..... 1110011    I  Zicsr  rd, csr, rs1
csrrwi     ............ ..... 101 ..... 1110011    I  Zicsr  rd, csr, zimm
csrrsi     ............ ..... 110 ..... 1110011    I  Zicsr  rd, csr, zimm
csrrci     ............ ..... 111 ..... 1110011    I  Zicsr  rd, csr, zimm

# ---- M ----
mul        0000001 ..... ..... 000 ..... 0110011   R  M  rd, rs1, rs2
mulh       0000001 ..... ..... 001 ..... 0110011   R  M  rd, rs1, rs2
mulhsu     0000001 ..... ..... 010 ..... 0110011   R  M  rd, rs1, rs2
mulhu      0000001 ..... ..... 011 ..... 0110011   R  M  rd, rs1, rs2
div        0000001 ..... ..... 100 ..... 0110011   R  M  rd, rs1, rs2
divu       0000001 ..... ..... 101 ..... 0110011   R  M  rd, rs1, rs2
rem        0000001 ..... ..... 110 ..... 0110011   R  M  rd, rs1, rs2
remu       0000001 ..... ..... 111 ..... 0110011   R  M  rd, rs1, rs2
mulw       0000001 ..... ..... 000 ..... 0111011   R  M  rd, rs1, rs2
divw       0000001 ..... ..... 100 ..... 0111011   R  M  rd, rs1, rs2
divuw      0000001 ..... ..... 101 ..... 0111011   R  M  rd, rs1, rs2
remw       0000001 ..... ..... 110 ..... 0111011   R  M  rd, rs1, rs2
remuw      0000001 ..... ..... 111 ..... 0111011   R  M  rd, rs1, rs2

# ---- A ----
lr.w       00010 .. 00000 ..... 010 ..... 0101111   R  A  rd, (rs1)       | aqrl
sc.w       00011 .. ..... ..... 010 ..... 0101111   R  A  rd, rs2, (rs1)  | aqrl
amoswap.w  00001 .. ..... ..... 010 ..... 0101111   R  A  rd, rs2, (rs1)  | aqrl
amoadd.w   00000 .. ..... ..... 010 ..... 0101111   R  A  rd, rs2, (rs1)  | aqrl
amoxor.w   00100 .. ..... ..... 010 ..... 0101111   R  A  rd, rs2, (rs1)  | aqrl
amoand.w   01100 .. ..... ..... 010 ..... 0101111   R  A  rd, rs2, (rs1)  | aqrl
amoor.w    01000 .. ..... ..... 010 ..... 0101111   R  A  rd, rs2, (rs1)  | aqrl
amomin.w   10000 .. ..... ..... 010 ..... 0101111   R  A  rd, rs2, (rs1)  | aqrl
amomax.w   10100 .. ..... ..... 010 ..... 0101111   R  A  rd, rs2, (rs1)  | aqrl
amominu.w  11000 .. ..... ..... 010 ..... 0101111   R  A  rd, rs2, (rs1)  | aqrl
amomaxu.w  11100 .. ..... ..... 010 ..... 0101111   R  A  rd, rs2, (rs1)  | aqrl
lr.d       00010 .. 00000 ..... 011 ..... 0101111   R  A  rd, (rs1)       | aqrl
sc.d       00011 .. ..... ..... 011 ..... 0101111   R  A  rd, rs2, (rs1)  | aqrl
amoswap.d  00001 .. ..... ..... 011 ..... 0101111   R  A  rd, rs2, (rs1)  | aqrl
amoadd.d   00000 .. ..... ..... 011 ..... 0101111   R  A  rd, rs2, (rs1)  | aqrl
amoxor.d   00100 .. ..... ..... 011 ..... 0101111   R  A  rd, rs2, (rs1)  | aqrl
amoand.d   01100 .. ..... ..... 011 ..... 0101111   R  A  rd, rs2, (rs1)  | aqrl
amoor.d    01000 .. ..... ..... 011 ..... 0101111   R  A  rd, rs2, (rs1)  | aqrl
amomin.d   10000 .. ..... ..... 011 ..... 0101111   R  A  rd, rs2, (rs1)  | aqrl
amomax.d   10100 .. ..... ..... 011 ..... 0101111   R  A  rd, rs2, (rs1)  | aqrl
amominu.d  11000 .. ..... ..... 011 ..... 0101111   R  A  rd, rs2, (rs1)  | aqrl
amomaxu.d  11100 .. ..... ..... 011 ..... 0101111   R  A  rd, rs2, (rs1)  | aqrl

# ---- F ----
flw        ............ ..... 010 ..... 0000111    I  F  fd, imm_i(rs1)
fsw        ....... ..... ..... 010 ..... 0100111   S  F  fs2, imm_s(rs1)
fmadd.s    ..... 00 ..... ..... ... ..... 1000011  R4 F  fd, fs1, fs2, fs3  | rm
fmsub.s    ..... 00 ..... ..... ... ..... 1000111  R4 F  fd, fs1, fs2, fs3  | rm
fnmsub.s   ..... 00 ..... ..... ... ..... 1001011  R4 F  fd, fs1, fs2, fs3  | rm
fnmadd.s   ..... 00 ..... ..... ... ..... 1001111  R4 F  fd, fs1, fs2, fs3  | rm
fadd.s     0000000 ..... ..... ... ..... 1010011   R  F  fd, fs1, fs2  | rm
fsub.s     0000100 ..... ..... ... ..... 1010011   R  F  fd, fs1, fs2  | rm
fmul.s     0001000 ..... ..... ... ..... 1010011   R  F  fd, fs1, fs2  | rm
fdiv.s     0001100 ..... ..... ... ..... 1010011   R  F  fd, fs1, fs2  | rm
fsqrt.s    0101100 00000 ..... ... ..... 1010011   R  F  fd, fs1  | rm
fsgnj.s    0010000 ..... ..... 000 ..... 1010011   R  F  fd, fs1, fs2
fsgnjn.s   0010000 ..... ..... 001 ..... 1010011   R  F  fd, fs1, fs2
fsgnjx.s   0010000 ..... ..... 010 ..... 1010011   R  F  fd, fs1, fs2
fmin.s     0010100 ..... ..... 000 ..... 1010011   R  F  fd, fs1, fs2
fmax.s     0010100 ..... ..... 001 ..... 1010011   R  F  fd, fs1, fs2
fcvt.w.s   1100000 00000 ..... ... ..... 1010011   R  F  rd, fs1  | rm
fcvt.wu.s  1100000 00001 ..... ... ..... 1010011   R  F  rd, fs1  | rm
fcvt.l.s   1100000 00010 ..... ... ..... 1010011   R  F  rd, fs1  | rm
fcvt.lu.s  1100000 00011 ..... ... ..... 1010011   R  F  rd, fs1  | rm
fmv.x.w    1110000 00000 ..... 000 ..... 1010011   R  F  rd, fs1
feq.s      1010000 ..... ..... 010 ..... 1010011   R  F  rd, fs1, fs2
flt.s      1010000 ..... ..... 001 ..... 1010011   R  F  rd, fs1, fs2
fle.s      1010000 ..... ..... 000 ..... 1010011   R  F  rd, fs1, fs2
fclass.s   1110000 00000 ..... 001 ..... 1010011   R  F  rd, fs1
fcvt.s.w   1101000 00000 ..... ... ..... 1010011   R  F  fd, rs1  | rm
fcvt.s.wu  1101000 00001 ..... ... ..... 1010011   R  F  fd, rs1  | rm
fcvt.s.l   1101000 00010 ..... ... ..... 1010011   R  F  fd, rs1  | rm
fcvt.s.lu  1101000 00011 ..... ... ..... 1010011   R  F  fd, rs1  | rm
fmv.w.x    1111000 00000 ..... 000 ..... 1010011   R  F  fd, rs1

# ---- D ----
fld        ............ ..... 011 ..... 0000111    I  D  fd, imm_i(rs1)
fsd        ....... ..... ..... 011 ..... 0100111   S  D  fs2, imm_s(rs1)
fmadd.d    ..... 01 ..... ..... ... ..... 1000011  R4 D  fd, fs1, fs2, fs3  | rm
fmsub.d    ..... 01 ..... ..... ... ..... 1000111  R4 D  fd, fs1, fs2, fs3  | rm
fnmsub.d   ..... 01 ..... ..... ... ..... 1001011  R4 D  fd, fs1, fs2, fs3  | rm
fnmadd.d   ..... 01 ..... ..... ... ..... 1001111  R4 D  fd, fs1, fs2, fs3  | rm
fadd.d     0000001 ..... ..... ... ..... 1010011   R  D  fd, fs1, fs2  | rm
fsub.d     0000101 ..... ..... ... ..... 1010011   R  D  fd, fs1, fs2  | rm
fmul.d     0001001 ..... ..... ... ..... 1010011   R  D  fd, fs1, fs2  | rm
fdiv.d     0001101 ..... ..... ... ..... 1010011   R  D  fd, fs1, fs2  | rm
fsqrt.d    0101101 00000 ..... ... ..... 1010011   R  D  fd, fs1  | rm
fsgnj.d    0010001 ..... ..... 000 ..... 1010011   R  D  fd, fs1, fs2
fsgnjn.d   0010001 ..... ..... 001 ..... 1010011   R  D  fd, fs1, fs2
fsgnjx.d   0010001 ..... ..... 010 ..... 1010011   R  D  fd, fs1, fs2
fmin.d     0010101 ..... ..... 000 ..... 1010011   R  D  fd, fs1, fs2
fmax.d     0010101 ..... ..... 001 ..... 1010011   R  D  fd, fs1, fs2
fcvt.s.d   0100000 00001 ..... ... ..... 1010011   R  D  fd, fs1  | rm
# exact conversions: objdump 2.40 decodes these only with rm = 0 (the hart accepts any valid rm)
fcvt.d.s   0100001 00000 ..... ... ..... 1010011   R  D  fd, fs1
feq.d      1010001 ..... ..... 010 ..... 1010011   R  D  rd, fs1, fs2
flt.d      1010001 ..... ..... 001 ..... 1010011   R  D  rd, fs1, fs2
fle.d      1010001 ..... ..... 000 ..... 1010011   R  D  rd, fs1, fs2
fclass.d   1110001 00000 ..... 001 ..... 1010011   R  D  rd, fs1
fcvt.w.d   1100001 00000 ..... ... ..... 1010011   R  D  rd, fs1  | rm
fcvt.wu.d  1100001 00001 ..... ... ..... 1010011   R  D  rd, fs1  | rm
fcvt.l.d   1100001 00010 ..... ... ..... 1010011   R  D  rd, fs1  | rm
fcvt.lu.d  1100001 00011 ..... ... ..... 1010011   R  D  rd, fs1  | rm
fmv.x.d    1110001 00000 ..... 000 ..... 1010011   R  D  rd, fs1
fcvt.d.w   1101001 00000 ..... ... ..... 1010011   R  D  fd, rs1
fcvt.d.wu  1101001 00001 ..... ... ..... 1010011   R  D  fd, rs1
fcvt.d.l   1101001 00010 ..... ... ..... 1010011   R  D  fd, rs1  | rm
fcvt.d.lu  1101001 00011 ..... ... ..... 1010011   R  D  fd, rs1  | rm
fmv.d.x    1111001 00000 ..... 000 ..... 1010011   R  D  fd, rs1

# ---- Zba ----
add.uw     0000100 ..... ..... 000 ..... 0111011   R  Zba  rd, rs1, rs2
sh1add     0010000 ..... ..... 010 ..... 0110011   R  Zba  rd, rs1, rs2
sh2add     0010000 ..... ..... 100 ..... 0110011   R  Zba  rd, rs1, rs2
sh3add     0010000 ..... ..... 110 ..... 0110011   R  Zba  rd, rs1, rs2
sh1add.uw  0010000 ..... ..... 010 ..... 0111011   R  Zba  rd, rs1, rs2
sh2add.uw  0010000 ..... ..... 100 ..... 0111011   R  Zba  rd, rs1, rs2
sh3add.uw  0010000 ..... ..... 110 ..... 0111011   R  Zba  rd, rs1, rs2
slli.uw    000010 ...... ..... 001 ..... 0011011   I  Zba  rd, rs1, shamt

# ---- Zbb ----
andn       0100000 ..... ..... 111 ..... 0110011   R  Zbb  rd, rs1, rs2
orn        0100000 ..... ..... 110 ..... 0110011   R  Zbb  rd, rs1, rs2
xnor       0100000 ..... ..... 100 ..... 0110011   R  Zbb  rd, rs1, rs2
clz        0110000 00000 ..... 001 ..... 0010011   I  Zbb  rd, rs1
ctz        0110000 00001 ..... 001 ..... 0010011   I  Zbb  rd, rs1
cpop       0110000 00010 ..... 001 ..... 0010011   I  Zbb  rd, rs1
sext.b     0110000 00100 ..... 001 ..... 0010011   I  Zbb  rd, rs1
sext.h     0110000 00101 ..... 001 ..... 0010011   I  Zbb  rd, rs1
clzw       0110000 00000 ..... 001 ..... 0011011   I  Zbb  rd, rs1
ctzw       0110000 00001 ..... 001 ..... 0011011   I  Zbb  rd, rs1
cpopw      0110000 00010 ..... 001 ..... 0011011   I  Zbb  rd, rs1
max        0000101 ..... ..... 110 ..... 0110011   R  Zbb  rd, rs1, rs2
maxu       0000101 ..... ..... 111 ..... 0110011   R  Zbb  rd, rs1, rs2
min        0000101 ..... ..... 100 ..... 0110011   R  Zbb  rd, rs1, rs2
minu       0000101 ..... ..... 101 ..... 0110011   R  Zbb  rd, rs1, rs2
zext.h     0000100 00000 ..... 100 ..... 0111011   R  Zbb  rd, rs1
rol        0110000 ..... ..... 001 ..... 0110011   R  Zbb  rd, rs1, rs2
ror        0110000 ..... ..... 101 ..... 0110011   R  Zbb  rd, rs1, rs2
rolw       0110000 ..... ..... 001 ..... 0111011   R  Zbb  rd, rs1, rs2
rorw       0110000 ..... ..... 101 ..... 0111011   R  Zbb  rd, rs1, rs2
rori       011000 ...... ..... 101 ..... 0010011   I  Zbb  rd, rs1, shamt
roriw      0110000 ..... ..... 101 ..... 0011011   I  Zbb  rd, rs1, shamtw
orc.b      0010100 00111 ..... 101 ..... 0010011   I  Zbb  rd, rs1
rev8       0110101 11000 ..... 101 ..... 0010011   I  Zbb  rd, rs1

# ---- Zbc ----
clmul      0000101 ..... ..... 001 ..... 0110011   R  Zbc  rd, rs1, rs2
clmulr     0000101 ..... ..... 010 ..... 0110011   R  Zbc  rd, rs1, rs2
clmulh     0000101 ..... ..... 011 ..... 0110011   R  Zbc  rd, rs1, rs2

# ---- Zbs ----
bclr       0100100 ..... ..... 001 ..... 0110011   R  Zbs  rd, rs1, rs2
bclri      010010 ...... ..... 001 ..... 0010011   I  Zbs  rd, rs1, shamt
bext       0100100 ..... ..... 101 ..... 0110011   R  Zbs  rd, rs1, rs2
bexti      010010 ...... ..... 101 ..... 0010011   I  Zbs  rd, rs1, shamt
binv       0110100 ..... ..... 001 ..... 0110011   R  Zbs  rd, rs1, rs2
binvi      011010 ...... ..... 001 ..... 0010011   I  Zbs  rd, rs1, shamt
bset       0010100 ..... ..... 001 ..... 0110011   R  Zbs  rd, rs1, rs2
bseti      001010 ...... ..... 001 ..... 0010011   I  Zbs  rd, rs1, shamt
`;

// prettier-ignore
const RVC = `
# ---- C, quadrant 0 (Unpriv §16.3-16.5, RV64 forms) ----
# the all-zero halfword is defined illegal; c.addi4spn with nzuimm=0 is reserved
c.addi4spn 000 ........ ... 00        CIW  C  c_rdp, x2, c_imm_addi4spn  | nz:c_imm_addi4spn  =addi
c.fld      001 ... ... .. ... 00      CL   C  c_fdp, c_uimm_d(c_rs1p)   | =fld
c.lw       010 ... ... .. ... 00      CL   C  c_rdp, c_uimm_w(c_rs1p)   | =lw
c.ld       011 ... ... .. ... 00      CL   C  c_rdp, c_uimm_d(c_rs1p)   | =ld
c.fsd      101 ... ... .. ... 00      CS   C  c_fs2p, c_uimm_d(c_rs1p)  | =fsd
c.sw       110 ... ... .. ... 00      CS   C  c_rs2p, c_uimm_w(c_rs1p)  | =sw
c.sd       111 ... ... .. ... 00      CS   C  c_rs2p, c_uimm_d(c_rs1p)  | =sd

# ---- C, quadrant 1 ----
c.nop      000 0 00000 00000 01       CI   C                             | =addi
c.addi     000 . ..... ..... 01       CI   C  c_rd, c_imm6               | =addi
c.addiw    001 . ..... ..... 01       CI   C  c_rd, c_imm6               | nz:c_rd  =addiw
c.li       010 . ..... ..... 01       CI   C  c_rd, c_imm6               | =addi
c.addi16sp 011 . 00010 ..... 01       CI   C  x2, c_imm_addi16sp         | nz:c_imm_addi16sp  =addi
c.lui      011 . ..... ..... 01       CI   C  c_rd, c_imm_lui            | nz:c_imm_lui  =lui
c.srli     100 . 00 ... ..... 01      CB   C  c_rs1p, c_shamt            | =srli
c.srai     100 . 01 ... ..... 01      CB   C  c_rs1p, c_shamt            | =srai
c.andi     100 . 10 ... ..... 01      CB   C  c_rs1p, c_imm6             | =andi
c.sub      100 0 11 ... 00 ... 01     CA   C  c_rs1p, c_rs2p             | =sub
c.xor      100 0 11 ... 01 ... 01     CA   C  c_rs1p, c_rs2p             | =xor
c.or       100 0 11 ... 10 ... 01     CA   C  c_rs1p, c_rs2p             | =or
c.and      100 0 11 ... 11 ... 01     CA   C  c_rs1p, c_rs2p             | =and
c.subw     100 1 11 ... 00 ... 01     CA   C  c_rs1p, c_rs2p             | =subw
c.addw     100 1 11 ... 01 ... 01     CA   C  c_rs1p, c_rs2p             | =addw
c.j        101 ........... 01         CJ   C  c_imm_j                    | =jal
c.beqz     110 ... ... ..... 01       CB   C  c_rs1p, c_imm_b            | =beq
c.bnez     111 ... ... ..... 01       CB   C  c_rs1p, c_imm_b            | =bne

# ---- C, quadrant 2 ----
c.slli     000 . ..... ..... 10       CI   C  c_rd, c_shamt              | =slli
c.fldsp    001 . ..... ..... 10       CI   C  c_fd, c_uimm_ldsp(x2)      | =fld
c.lwsp     010 . ..... ..... 10       CI   C  c_rd, c_uimm_lwsp(x2)      | nz:c_rd  =lw
c.ldsp     011 . ..... ..... 10       CI   C  c_rd, c_uimm_ldsp(x2)      | nz:c_rd  =ld
c.jr       100 0 ..... 00000 10       CR   C  c_rs1                      | nz:c_rs1  =jalr
c.mv       100 0 ..... ..... 10       CR   C  c_rd, c_rs2                | =add
c.ebreak   100 1 00000 00000 10       CR   C                             | =ebreak
c.jalr     100 1 ..... 00000 10       CR   C  c_rs1                      | =jalr
c.add      100 1 ..... ..... 10       CR   C  c_rd, c_rs2                | =add
c.fsdsp    101 ...... ..... 10        CSS  C  c_fs2, c_uimm_sdsp(x2)     | =fsd
c.swsp     110 ...... ..... 10        CSS  C  c_rs2, c_uimm_swsp(x2)     | =sw
c.sdsp     111 ...... ..... 10        CSS  C  c_rs2, c_uimm_sdsp(x2)     | =sd
`;

const OPERAND_RE = /[a-z_0-9]+/g;

function parse(text: string, length: 2 | 4): InstructionSpec[] {
  const out: InstructionSpec[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const [main, flagText = ''] = line.split('|');
    const tokens = main.trim().split(/\s+/);
    const name = tokens[0];
    // The pattern is every following token made only of 0, 1 and '.'.
    let pattern = '';
    let k = 1;
    while (k < tokens.length && /^[01.]+$/.test(tokens[k])) pattern += tokens[k++];
    if (pattern.length !== length * 8) {
      throw new Error(`isa table: ${name} has a ${pattern.length}-bit pattern, expected ${length * 8}`);
    }
    const format = tokens[k++] as Format;
    const extension = tokens[k++] as Extension;
    const syntax = tokens.slice(k).join(' ');
    let mask = 0;
    let match = 0;
    for (let b = 0; b < pattern.length; b++) {
      const bit = pattern.length - 1 - b;
      const c = pattern[b];
      if (c !== '.') {
        mask |= 1 << bit;
        if (c === '1') match |= 1 << bit;
      }
    }
    const operands: FieldName[] = [];
    for (const o of syntax.match(OPERAND_RE) ?? []) if (o in FIELDS) operands.push(o as FieldName);
    const flags = flagText.trim().split(/\s+/).filter(Boolean);
    const nonZero: FieldName[] = [];
    const notEqual: { field: FieldName; value: number }[] = [];
    let expandsTo: string | undefined;
    for (const f of flags) {
      if (f.startsWith('nz:')) nonZero.push(f.slice(3) as FieldName);
      else if (f.startsWith('ne:')) {
        const [field, value] = f.slice(3).split('=');
        notEqual.push({ field: field as FieldName, value: Number(value) });
      } else if (f.startsWith('=')) expandsTo = f.slice(1);
    }
    const spec: InstructionSpec = {
      name,
      mask: mask >>> 0,
      match: match >>> 0,
      length,
      format,
      extension,
      syntax,
      operands,
      aqrl: flags.includes('aqrl'),
      hasRm: flags.includes('rm'),
      nonZero,
      notEqual,
      ...(expandsTo === undefined ? {} : { expandsTo }),
    };
    out.push(spec);
  }
  return out;
}

/** All 32-bit instructions, in match order. */
export const INSTRUCTIONS_32: readonly InstructionSpec[] = parse(RV32_64, 4);
/** All 16-bit (RVC) instructions, in match order. */
export const INSTRUCTIONS_16: readonly InstructionSpec[] = parse(RVC, 2);
/** The whole table. */
export const INSTRUCTIONS: readonly InstructionSpec[] = [...INSTRUCTIONS_32, ...INSTRUCTIONS_16];

/** Instruction length in bytes from its first halfword (Unpriv §1.5): 2 unless bits 1:0 are 11. */
export function instructionLength(firstHalf: number): 2 | 4 {
  return (firstHalf & 3) === 3 ? 4 : 2;
}

function fieldsValid(spec: InstructionSpec, insn: number): boolean {
  for (const f of spec.nonZero) if (FIELDS[f](insn) === 0) return false;
  for (const { field, value } of spec.notEqual) if (FIELDS[field](insn) === value) return false;
  return true;
}

/**
 * Finds the table entry for an instruction (32-bit, or a 16-bit one in the low halfword), or
 * undefined for an illegal or reserved encoding. Linear search: for tools, not the hart loop.
 * Compressed HINT encodings (e.g. c.addi with rd=0, c.slli with rd=0) decode as their
 * instruction, since they execute as no-ops.
 */
export function lookup(insn: number): InstructionSpec | undefined {
  if ((insn & 3) === 3) {
    const w = insn >>> 0;
    for (const spec of INSTRUCTIONS_32) {
      if (((w & spec.mask) >>> 0) === spec.match && fieldsValid(spec, w)) return spec;
    }
    return undefined;
  }
  const h = insn & 0xffff;
  if (h === 0) return undefined;
  for (const spec of INSTRUCTIONS_16) {
    if ((h & spec.mask) === spec.match) {
      // c.lui with rd=2 is c.addi16sp, listed first; reserved forms are undefined.
      return fieldsValid(spec, h) ? spec : undefined;
    }
  }
  return undefined;
}

/** Reads a named operand field of an instruction. */
export function field(name: FieldName, insn: number): number {
  return FIELDS[name](insn);
}
