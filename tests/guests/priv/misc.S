/* Sstc, misaligned accesses, atomics (LR/SC, AMOs, misaligned faults), FS states, FENCE.I on
 * self-modifying code, access faults on unmapped physical addresses. */
#include "test.h"
#define MENVCFG_STCE (1 << 63)
#define UNMAPPED 0x18000000
  TEST_PROLOGUE
main:
  /* ---- Sstc ---- */
  li t0, -1
  csrw stimecmp, t0
  li t0, MENVCFG_STCE
  csrs menvcfg, t0
  csrr a0, menvcfg
  PRINT("menvcfg", a0)
  /* S access needs STCE and mcounteren.TM */
  csrw mcounteren, zero
  ARM_TRAP(1f)
  GOTO_MODE(1, s_stimecmp)
1:
  CHECK(s8, 2, 1)
  li t0, 2
  csrw mcounteren, t0
  ARM_TRAP(1f)
  GOTO_MODE(1, s_stimecmp)
1:
  CHECK(s8, 9, 2)
  /* STIP follows time >= stimecmp, and mip.STIP is not writable */
  li t0, 1 << 5
  csrs mip, t0
  csrr a0, mip
  andi a0, a0, 1 << 5
  CHECK(a0, 0, 3)
  rdtime t0
  li t1, 100000
  add t0, t0, t1
  csrw stimecmp, t0
2:
  csrr a0, mip
  andi a0, a0, 1 << 5
  beqz a0, 2b
  /* taken in S when delegated and enabled */
  la t0, shandler
  csrw stvec, t0
  li t0, 1 << 5
  csrw mideleg, t0
  csrw mie, t0
  csrsi mstatus, MSTATUS_SIE
  ARM_TRAP(1f)
  GOTO_MODE(1, s_spin)
1:
  li t0, (1 << 63) | 5
  CHECK(s8, (1 << 63) | 5, 4)
  CHECK(s5, 1, 5)
  li t0, -1
  csrw stimecmp, t0
  csrr a0, mip
  andi a0, a0, 1 << 5
  CHECK(a0, 0, 6)
  csrw mie, zero
  csrw mideleg, zero
  li t0, MENVCFG_STCE
  csrc menvcfg, t0

  /* ---- misaligned loads and stores succeed ---- */
  la s0, buf
  li t0, 0x0102030405060708
  sd t0, 3(s0)
  ld a0, 3(s0)
  CHECK(a0, 0x0102030405060708, 10)
  lw a0, 5(s0)
  CHECK(a0, 0x03040506, 11)
  lhu a0, 7(s0)
  CHECK(a0, 0x0304, 12)
  /* across a page boundary */
  la s1, page_end
  addi s1, s1, -3
  sd t0, 0(s1)
  ld a0, 0(s1)
  CHECK(a0, 0x0102030405060708, 13)

  /* ---- atomics ---- */
  li t0, 10
  sd t0, 0(s0)
  li t1, 5
  amoadd.d a0, t1, (s0)
  CHECK(a0, 10, 20)
  ld a0, 0(s0)
  CHECK(a0, 15, 21)
  li t1, -3
  amomax.w a0, t1, (s0)
  lw a0, 0(s0)
  CHECK(a0, 15, 22)
  amomaxu.w a0, t1, (s0)
  lw a0, 0(s0)
  CHECK(a0, -3, 23)
  li t1, 7
  amoswap.w a0, t1, (s0)
  CHECK(a0, -3, 24)
  amominu.d a0, zero, (s0)
  ld a0, 0(s0)
  CHECK(a0, 0, 25)
  /* LR/SC: success, then a second SC fails; an SC after a store of a different value fails */
  li t0, 100
  sd t0, 0(s0)
  lr.d a0, (s0)
  addi a0, a0, 1
  sc.d a1, a0, (s0)
  CHECK(a1, 0, 26)
  sc.d a1, a0, (s0)
  CHECK(a1, 1, 27)
  ld a0, 0(s0)
  CHECK(a0, 101, 28)
  lr.w a0, (s0)
  li t0, 55
  sw t0, 0(s0)
  sc.w a1, a0, (s0)
  CHECK(a1, 1, 29)
  lr.w a0, (s0)
  addi t0, s0, 8
  sc.w a1, a0, (t0)
  CHECK(a1, 1, 30)
  /* misaligned AMO and LR: load address misaligned on QEMU 7.2 (with the address in mtval) */
  addi t0, s0, 1
  ARM_TRAP(1f)
  amoadd.w a0, t0, (t0)
1:
  mv s4, s8
  PRINT("misaligned amoadd.w cause", s4)
  CHECK(s4, 4, 31)
  addi t0, s0, 1
  bne s9, t0, fail_32
  ARM_TRAP(1f)
  lr.d a0, (t0)
1:
  mv s4, s8
  PRINT("misaligned lr.d cause", s4)
  CHECK(s4, 4, 33)

  /* ---- FS: Off makes FP illegal; any FP write makes it Dirty ---- */
  li t0, MSTATUS_FS
  csrc mstatus, t0
  ARM_TRAP(1f)
  fadd.d f0, f1, f2
1:
  CHECK(s8, 2, 40)
  ARM_TRAP(1f)
  fld f0, 0(s0)
1:
  CHECK(s8, 2, 41)
  ARM_TRAP(1f)
  csrr a0, fflags
1:
  CHECK(s8, 2, 42)
  li t0, 1 << 13
  csrs mstatus, t0
  csrr s4, mstatus
  PRINT("mstatus with FS initial", s4)
  srli a0, s4, 63
  CHECK(a0, 0, 43)
  li t1, 0x4000000000000000
  fmv.d.x f1, t1
  csrr a0, mstatus
  srli a1, a0, 13
  andi a1, a1, 3
  CHECK(a1, 3, 44)
  srli a0, a0, 63
  CHECK(a0, 1, 45)
  fadd.d f2, f1, f1
  fmv.x.d a0, f2
  CHECK(a0, 0x4010000000000000, 46)
  li t0, 0x3f800000
  sw t0, 0(s0)
  flw f3, 0(s0)
  fmv.x.d a0, f3
  CHECK(a0, 0xffffffff3f800000, 47)
  fsd f2, 8(s0)
  ld a0, 8(s0)
  CHECK(a0, 0x4010000000000000, 48)

  /* ---- FENCE.I: self-modifying code ---- */
  la s1, patch
  li t0, 0x02a00513 /* li a0, 42 */
  sw t0, 0(s1)
  fence.i
  jalr s1
  CHECK(a0, 42, 50)
  li t0, 0x02b00513 /* li a0, 43 */
  sw t0, 0(s1)
  fence.i
  jalr s1
  CHECK(a0, 43, 51)

  /* ---- access faults on unmapped physical addresses ---- */
  ARM_TRAP(1f)
  li t0, UNMAPPED
  ld a0, 0(t0)
1:
  CHECK(s8, 5, 60)
  CHECK(s9, UNMAPPED, 61)
  ARM_TRAP(1f)
  li t0, UNMAPPED
  sw a0, 0(t0)
1:
  CHECK(s8, 7, 62)
  ARM_TRAP(1f)
  li t0, UNMAPPED
  jr t0
1:
  CHECK(s8, 1, 63)
  CHECK(s9, UNMAPPED, 64)
  j pass

fail_32: li a0, 32; j fail

s_stimecmp:
  csrr a0, stimecmp
  ecall
s_spin:
  j s_spin

  .data
  .align 2
  .option push
  .option norvc
patch:
  addi a0, zero, 0
  ret
  .option pop

  .data
  .align 4
buf: .skip 64
  .align 12
  .skip 4096 - 8
page_end: .skip 16
  TEST_EPILOGUE
