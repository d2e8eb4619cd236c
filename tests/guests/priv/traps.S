/* Traps and delegation: ECALL from each mode, EBREAK, illegal instructions (mtval holds the
 * bits), medeleg to S-mode, xRET privilege transitions, TSR/TW/TVM, CSR privilege checks,
 * counter enables, WARL CSRs. */
#include "test.h"
  TEST_PROLOGUE
main:
  /* ECALL from M: cause 11, tval 0 */
  ARM_TRAP(1f)
  ecall
1:
  CHECK(s8, 11, 1)
  CHECK(s9, 0, 2)

  /* EBREAK (both sizes): cause 3 */
  ARM_TRAP(1f)
  ebreak
1:
  CHECK(s8, 3, 3)
  PRINT("ebreak tval", s9)
  ARM_TRAP(1f)
  c.ebreak
1:
  CHECK(s8, 3, 4)

  /* illegal 32-bit instruction: mtval = the instruction bits */
  ARM_TRAP(1f)
  .word 0xffffffff
1:
  CHECK(s8, 2, 5)
  CHECK(s9, 0xffffffff, 6)
  /* illegal 16-bit (c.addi4spn with imm 0 = all-zero is different; use reserved c.lwsp x0) */
  ARM_TRAP(1f)
  .hword 0x4002
1:
  CHECK(s8, 2, 7)
  CHECK(s9, 0x4002, 8)
  /* the all-zero halfword */
  ARM_TRAP(1f)
  .hword 0
1:
  CHECK(s8, 2, 9)
  CHECK(s9, 0, 10)
  /* unimplemented CSR */
  ARM_TRAP(1f)
  csrr a0, 0x7c0
1:
  CHECK(s8, 2, 11)
  /* write to a read-only CSR */
  ARM_TRAP(1f)
  csrw mvendorid, zero
1:
  CHECK(s8, 2, 12)
  /* reading a read-only CSR with csrrs x0 is fine */
  csrrs a0, mhartid, zero
  CHECK(a0, 0, 13)

  /* ECALL from S and U without delegation: causes 9 and 8, taken in M */
  ARM_TRAP(1f)
  GOTO_MODE(1, s_ecall)
1:
  CHECK(s8, 9, 20)
  CHECK(s5, 3, 21)
  la t0, s_ecall

  bne s7, t0, fail_22
  ARM_TRAP(1f)
  GOTO_MODE(0, u_ecall)
1:
  CHECK(s8, 8, 23)

  /* delegate U ecall and illegal instruction to S */
  la t0, shandler
  csrw stvec, t0
  li t0, (1 << 8) | (1 << 2)
  csrw medeleg, t0
  ARM_TRAP(1f)
  GOTO_MODE(0, u_ecall)
1:
  CHECK(s8, 8, 30)
  CHECK(s5, 1, 31)
  /* S-mode reading an M CSR is illegal, delegated to S with stval = bits */
  ARM_TRAP(1f)
  GOTO_MODE(1, s_read_mstatus)
1:
  CHECK(s8, 2, 32)
  CHECK(s5, 1, 33)
  la t0, s_read_mstatus
  lw t1, 0(t0)
  bne s9, t1, fail_34
  /* ECALL from S is not delegated: M */
  ARM_TRAP(1f)
  GOTO_MODE(1, s_ecall)
1:
  CHECK(s8, 9, 35)
  CHECK(s5, 3, 36)
  csrw medeleg, zero

  /* sstatus.SPP / SPIE after a trap into S from U, and SRET back */
  li t0, (1 << 8)
  csrw medeleg, t0
  li t0, MSTATUS_SIE
  csrs mstatus, t0
  ARM_TRAP(1f)
  GOTO_MODE(0, u_ecall)
1:
  csrr a0, mstatus
  li t0, MSTATUS_SPP | MSTATUS_SPIE | MSTATUS_SIE
  and a0, a0, t0
  CHECK(a0, MSTATUS_SPIE, 40)
  csrw medeleg, zero

  /* TSR: SRET in S traps; TW: WFI in S traps; TVM: satp and sfence.vma in S trap */
  li t0, MSTATUS_TSR
  csrs mstatus, t0
  ARM_TRAP(1f)
  GOTO_MODE(1, s_sret)
1:
  CHECK(s8, 2, 50)
  li t0, MSTATUS_TSR
  csrc mstatus, t0
  li t0, MSTATUS_TW
  csrs mstatus, t0
  ARM_TRAP(1f)
  GOTO_MODE(1, s_wfi)
1:
  CHECK(s8, 2, 51)
  li t0, MSTATUS_TW
  csrc mstatus, t0
  li t0, MSTATUS_TVM
  csrs mstatus, t0
  ARM_TRAP(1f)
  GOTO_MODE(1, s_satp)
1:
  CHECK(s8, 2, 52)
  ARM_TRAP(1f)
  GOTO_MODE(1, s_sfence)
1:
  CHECK(s8, 2, 53)
  li t0, MSTATUS_TVM
  csrc mstatus, t0
  /* without TVM, S may access satp */
  ARM_TRAP(1f)
  GOTO_MODE(1, s_satp)
1:
  CHECK(s8, 9, 54)
  /* WFI in U is illegal */
  ARM_TRAP(1f)
  GOTO_MODE(0, u_wfi)
1:
  CHECK(s8, 2, 55)
  /* MRET in S is illegal */
  ARM_TRAP(1f)
  GOTO_MODE(1, s_mret)
1:
  CHECK(s8, 2, 56)

  /* counters: S needs mcounteren, U needs both */
  csrw mcounteren, zero
  csrw scounteren, zero
  ARM_TRAP(1f)
  GOTO_MODE(1, s_rdcycle)
1:
  CHECK(s8, 2, 60)
  li t0, 7
  csrw mcounteren, t0
  ARM_TRAP(1f)
  GOTO_MODE(1, s_rdcycle)
1:
  CHECK(s8, 9, 61)
  ARM_TRAP(1f)
  GOTO_MODE(0, u_rdtime)
1:
  CHECK(s8, 2, 62)
  li t0, 2
  csrw scounteren, t0
  ARM_TRAP(1f)
  GOTO_MODE(0, u_rdtime)
1:
  CHECK(s8, 8, 63)
  /* hpmcounter3 reads zero in M */
  csrr a0, hpmcounter3
  CHECK(a0, 0, 64)
  /* instret counts retired instructions */
  csrr a0, instret
  nop
  nop
  csrr a1, instret
  sub a1, a1, a0
  li t0, 3
  bltu a1, t0, fail_65
  /* mcountinhibit.IR stops minstret */
  li t0, 4
  csrw mcountinhibit, t0
  csrr a0, minstret
  nop
  csrr a1, minstret

  bne a0, a1, fail_66
  csrw mcountinhibit, zero

  /* WARL readbacks, compared with QEMU (M interrupts off: MRETs above left MIE set) */
  csrci mstatus, MSTATUS_MIE
  li t0, -1
  csrw medeleg, t0
  csrr a0, medeleg
  PRINT("~medeleg (QEMU 7.2 keeps H bits 10, 20-23 writable without H)", a0)
  csrw medeleg, zero
  csrw mideleg, t0
  csrr s0, mideleg
  PRINT("~mideleg (QEMU 7.2 keeps VS and LCOF bits writable without H)", s0)
  andi s0, s0, 0x222
  CHECK(s0, 0x222, 70)
  csrw mideleg, zero
  csrw mie, t0
  csrr a0, mie
  PRINT("~mie (QEMU 7.2 keeps VS and LCOF bits writable without H)", a0)
  csrw mie, zero
  csrr a0, mtvec
  la t1, mhandler
  li t2, 0x80000102
  csrw mtvec, t2
  csrr a1, mtvec
  PRINT("mtvec mode2", a1)
  li t2, 0x80000101
  csrw mtvec, t2
  csrr a1, mtvec
  CHECK(a1, 0x80000101, 71)
  csrw mtvec, t1
  li t0, 1
  csrw mepc, t0
  csrr a0, mepc
  PRINT("~mepc after writing 1 (QEMU 7.2 keeps bit 0; Priv 3.1.14 says it is always 0)", a0)
  li t0, MSTATUS_MPP
  csrs mstatus, t0
  csrr a0, mstatus
  PRINT("mstatus MPP=3", a0)
  li t0, MSTATUS_FS
  csrs mstatus, t0
  csrr a0, mstatus
  srli a0, a0, 63
  CHECK(a0, 1, 73)
  csrr a0, sstatus
  PRINT("sstatus", a0)
  csrw scause, t0
  csrr a0, mcounteren
  PRINT("mcounteren", a0)
  csrr a0, mconfigptr
  CHECK(a0, 0, 74)
  j pass

fail_22: li a0, 22; j fail
fail_34: li a0, 34; j fail
fail_65: li a0, 65; j fail
fail_66: li a0, 66; j fail

s_ecall: ecall
u_ecall: ecall
s_read_mstatus: csrr a0, mstatus
  ecall
s_sret: sret
s_wfi: wfi
  ecall
s_satp: csrr a0, satp
  ecall
s_sfence: sfence.vma
  ecall
u_wfi: wfi
  ecall
s_mret: mret
s_rdcycle: rdcycle a0
  ecall
u_rdtime: rdtime a0
  ecall
  TEST_EPILOGUE
