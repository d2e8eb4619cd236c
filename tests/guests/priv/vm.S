/* Sv39 and Sv48: 4 KiB, 2 MiB and 1 GiB pages, permission checks (R/W/X, U, SUM, MXR), page
 * faults with the address in stval/mtval, hardware A/D updates, MPRV, reserved encodings,
 * unsupported satp modes. */
#include "test.h"
#define V 1
#define R 2
#define W 4
#define X 8
#define U 16
#define A 64
#define D 128
#define SATP_SV39 (8 << 60)
#define SATP_SV48 (9 << 60)

/* pte(table label, index, physical address register, flags) */
#define PTE(table, index, pareg, flags) la a0, table; li a1, index; mv a2, pareg; li a3, flags; jal set_pte
/* run the S-mode snippet `where` with a1 = addr; trap lands at 1: */
#define S_RUN(where, addr) li a1, addr; ARM_TRAP(1f); GOTO_MODE(1, where); 1:
/* expect a page fault of cause c at address addr, or success (ecall from S: 9) */
#define EXPECT(c, addr, n) CHECK(s8, c, n); li t6, addr; beq s9, t6, 2f; li t6, 9; beq s8, t6, 2f; li a0, n + 500; j fail; 2:

  TEST_PROLOGUE
main:
  /* root[2]: 1 GiB identity at 0x8000_0000 (kernel: RWX, not U) */
  li t0, 0x80000000
  PTE(root, 2, t0, V|R|W|X|A|D)
  /* root[1]: VA 0x4000_0000 aliases RAM as a read-only gigapage */
  li t0, 0x80000000
  PTE(root, 1, t0, V|R|A)
  /* root[0] -> l1; l1[0] -> l0 */
  la t0, l1
  PTE(root, 0, t0, V)
  la t0, l0
  PTE(l1, 0, t0, V)
  /* l1[1]: VA 0x20_0000 -> 2 MiB page at 0x8020_0000; l1[2]: misaligned megapage */
  li t0, 0x80200000
  PTE(l1, 1, t0, V|R|W|A|D)
  li t0, 0x80201000
  PTE(l1, 2, t0, V|R|W|A|D)
  /* l0: 0x1000 U RW, 0x2000 U R, 0x3000 RW without A/D, 0x4000 X only, 0x5000 invalid,
     0x6000 U code, 0x7000 W-only (reserved), 0x8000 with PBMT bits (reserved without Svpbmt) */
  la t0, page_a
  PTE(l0, 1, t0, V|R|W|U|A|D)
  PTE(l0, 2, t0, V|R|U|A|D)
  PTE(l0, 3, t0, V|R|W)
  PTE(l0, 4, t0, V|X|A)
  PTE(l0, 5, t0, 0)
  la t0, u_code
  PTE(l0, 6, t0, V|R|X|U|A)
  la t0, cross_page
  PTE(l0, 9, t0, V|R|X|A)
  la t0, page_a
  PTE(l0, 7, t0, V|W|A|D)
  PTE(l0, 8, t0, V|R|W|A|D)
  la a0, l0
  ld t1, 64(a0)
  li t2, 1 << 61
  or t1, t1, t2
  sd t1, 64(a0)
  /* the megapage's first dwords */
  li t0, 0x80200008
  li t1, 0x2222222222222222
  sd t1, 0(t0)

  la t0, root
  srli t0, t0, 12
  li t1, SATP_SV39
  or t0, t0, t1
  csrw satp, t0
  sfence.vma
  csrr a0, satp
  PRINT("satp", a0)

  /* U page from S without SUM: load page fault; with SUM: the data */
  S_RUN(s_load, 0x1008)
  EXPECT(13, 0x1008, 1)
  li t0, MSTATUS_SUM
  csrs mstatus, t0
  S_RUN(s_load, 0x1008)
  EXPECT(9, 0, 2)
  CHECK(a0, 0xa1a1a1a1a1a1a1a1, 3)
  /* store to a read-only page: store page fault */
  S_RUN(s_store, 0x2010)
  EXPECT(15, 0x2010, 4)
  li t0, MSTATUS_SUM
  csrc mstatus, t0

  /* A/D: a load sets A only, a store sets D */
  S_RUN(s_load, 0x3000)
  EXPECT(9, 0, 10)
  la t0, l0
  ld s0, 24(t0)
  andi s0, s0, A|D
  PRINT("pte A/D after load", s0)
  CHECK(s0, A, 11)
  S_RUN(s_store, 0x3000)
  EXPECT(9, 0, 12)
  la t0, l0
  ld s0, 24(t0)
  andi s0, s0, A|D
  CHECK(s0, A|D, 13)

  /* execute-only page: loads fault unless MXR */
  S_RUN(s_load, 0x4000)
  EXPECT(13, 0x4000, 20)
  li t0, MSTATUS_MXR
  csrs mstatus, t0
  S_RUN(s_load, 0x4000)
  EXPECT(9, 0, 21)
  li t0, MSTATUS_MXR
  csrc mstatus, t0
  /* invalid PTE, W without R, PBMT bits set */
  S_RUN(s_load, 0x5008)
  EXPECT(13, 0x5008, 22)
  S_RUN(s_store, 0x7000)
  EXPECT(15, 0x7000, 23)
  S_RUN(s_load, 0x8000)
  EXPECT(13, 0x8000, 24)
  /* S fetch from a U page: instruction page fault even with SUM */
  li t0, MSTATUS_SUM
  csrs mstatus, t0
  S_RUN(s_jump, 0x6000)
  EXPECT(12, 0x6000, 25)
  li t0, MSTATUS_SUM
  csrc mstatus, t0
  /* fetch from an unmapped page: the fault address is the target */
  S_RUN(s_jump, 0x5000)
  EXPECT(12, 0x5000, 26)

  /* a 32-bit instruction whose second half lies on an unmapped page: the fault address is
     that page (what lets Linux fault it in), the epc the instruction */
  S_RUN(s_jump, 0x9ffe)
  EXPECT(12, 0xa000, 27)
  li t0, 0x9ffe
  bne s7, t0, fail_28

  /* U-mode code at 0x6000: U data page works, a non-U page faults */
  li a1, 0x1008
  ARM_TRAP(1f)
  li t0, MSTATUS_MPP
  csrc mstatus, t0
  li t0, 0x6000
  csrw mepc, t0
  mret
1:
  CHECK(s8, 8, 30)
  CHECK(a0, 0xa1a1a1a1a1a1a1a1, 31)
  li a1, 0x3000
  ARM_TRAP(1f)
  li t0, MSTATUS_MPP
  csrc mstatus, t0
  li t0, 0x6000
  csrw mepc, t0
  mret
1:
  CHECK(s8, 13, 32)
  CHECK(s9, 0x3000, 33)

  /* megapage, misaligned megapage, gigapage alias, non-canonical address */
  S_RUN(s_load, 0x200008)
  EXPECT(9, 0, 40)
  CHECK(a0, 0x2222222222222222, 41)
  S_RUN(s_load, 0x400000)
  EXPECT(13, 0x400000, 42)
  la t0, page_a
  li t1, 0x80000000 - 0x40000000
  sub a1, t0, t1
  addi a1, a1, 8
  ARM_TRAP(1f)
  GOTO_MODE(1, s_load)
1:
  CHECK(s8, 9, 43)
  CHECK(a0, 0xa1a1a1a1a1a1a1a1, 44)
  S_RUN(s_store, 0x40000000)
  EXPECT(15, 0x40000000, 45)
  S_RUN(s_load, 0x8000000000)
  EXPECT(13, 0x8000000000, 46)
  PRINT("non-canonical stval", s9)

  /* MPRV: M-mode loads with MPP=S translate (and fault like S) */
  li t0, MSTATUS_MPP
  csrc mstatus, t0
  li t0, (1 << 11) | MSTATUS_MPRV
  csrs mstatus, t0
  ARM_TRAP(1f)
  li a1, 0x1008
  ld a0, 0(a1)
1:
  li t0, MSTATUS_MPRV
  csrc mstatus, t0
  CHECK(s8, 13, 50)
  CHECK(s9, 0x1008, 51)
  li t0, MSTATUS_MPRV | MSTATUS_SUM
  csrs mstatus, t0
  li t0, MSTATUS_MPP
  csrc mstatus, t0
  li t0, 1 << 11
  csrs mstatus, t0
  li a1, 0x1008
  ld a0, 0(a1)
  li t0, MSTATUS_MPRV | MSTATUS_SUM
  csrc mstatus, t0
  CHECK(a0, 0xa1a1a1a1a1a1a1a1, 52)

  /* a reserved mode (1): the write is ignored (QEMU 7.2 also offers Sv57, so not 10) */
  csrr s0, satp
  li t0, 1 << 60
  csrw satp, t0
  csrr s1, satp
  bne s0, s1, fail_60

  /* Sv48: root48[0] -> the Sv39 root as the next level */
  la t0, root
  PTE(root48, 0, t0, V)
  la t0, root48
  srli t0, t0, 12
  li t1, SATP_SV48
  or t0, t0, t1
  csrw satp, t0
  sfence.vma
  csrr a0, satp
  srli a0, a0, 60
  CHECK(a0, 9, 70)
  S_RUN(s_load, 0x200008)
  EXPECT(9, 0, 71)
  CHECK(a0, 0x2222222222222222, 72)
  /* Sv48 canonical check is at bit 47: 0x8000000000 is now valid but unmapped (root48[1]) */
  S_RUN(s_load, 0x8000000000)
  EXPECT(13, 0x8000000000, 73)
  S_RUN(s_load, 0x800000000000)
  EXPECT(13, 0x800000000000, 74)
  csrw satp, zero
  sfence.vma
  j pass

fail_28: li a0, 28; j fail
fail_60: li a0, 60; j fail

/* set_pte: a0 table, a1 index, a2 physical address, a3 flags */
set_pte:
  srli a2, a2, 12
  slli a2, a2, 10
  or a2, a2, a3
  slli a1, a1, 3
  add a0, a0, a1
  sd a2, 0(a0)
  ret

s_load:
  ld a0, 0(a1)
  ecall
s_store:
  li a2, 0x5555
  sd a2, 0(a1)
  ecall
s_jump:
  jr a1

  .section .text.ucode, "ax"
  .align 12
u_code:
  ld a0, 0(a1)
  ecall
  .align 12

  .data
  .align 12
cross_page:
  .skip 4094
  .hword 0x0013 /* first half of addi x0, x0, 0 */
  .align 12
page_a:
  .dword 0xa0a0a0a0a0a0a0a0, 0xa1a1a1a1a1a1a1a1, 0xa2a2a2a2a2a2a2a2
  .align 12
root: .skip 4096
l1: .skip 4096
l0: .skip 4096
root48: .skip 4096
  TEST_EPILOGUE
