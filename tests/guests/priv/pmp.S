/* PMP: NAPOT, NA4 and TOR entries, R/W/X per entry, partial matches, lowest entry wins,
 * M-mode only bound by locked entries, page-table walks checked as S-mode. */
#include "test.h"
#define PMP_R 1
#define PMP_W 2
#define PMP_X 4
#define TOR (1 << 3)
#define NA4 (2 << 3)
#define NAPOT (3 << 3)
#define PMP_L 0x80
#define S_RUN(where, addr) li a1, addr; ARM_TRAP(1f); GOTO_MODE(1, where); 1:
#define S_RUN_REG(where, reg) mv a1, reg; ARM_TRAP(1f); GOTO_MODE(1, where); 1:

  TEST_PROLOGUE
main:
  /* entry 0: NAPOT 4 KiB over page_p, read-only */
  la s1, page_p
  srli t0, s1, 2
  ori t0, t0, (4096 / 8) - 1
  csrw pmpaddr0, t0
  /* entry 1: NA4 over the first word of page_q, no access */
  la s2, page_q
  srli t0, s2, 2
  csrw pmpaddr1, t0
  /* entries 2-3: TOR [page_t, page_t + 4096) execute only */
  la s3, page_t
  srli t0, s3, 2
  csrw pmpaddr2, t0
  li t1, 4096 / 4
  add t0, t0, t1
  csrw pmpaddr3, t0
  li t0, ((TOR | PMP_X) << 24) | (NA4 << 8) | (NAPOT | PMP_R)
  csrw pmpcfg0, t0
  csrr a0, pmpcfg0
  PRINT("pmpcfg0", a0)
  csrr a0, pmpaddr0
  PRINT("pmpaddr0", a0)

  /* S: read-only page loads, store faults with the address */
  S_RUN_REG(s_load, s1)
  CHECK(s8, 9, 1)
  CHECK(a0, 0x1234, 2)
  S_RUN_REG(s_store, s1)
  CHECK(s8, 7, 3)
  bne s9, s1, fail_4
  /* M is not bound by unlocked entries */
  li t0, 0x4321
  sd t0, 8(s1)
  /* NA4: word 0 of page_q faults, word 1 passes (entry 15) */
  S_RUN_REG(s_load32, s2)
  CHECK(s8, 5, 5)
  addi t0, s2, 4
  S_RUN_REG(s_load32, t0)
  CHECK(s8, 9, 6)
  /* an access straddling entry 1's boundary partially matches it: fault */
  addi t0, s2, -4
  S_RUN_REG(s_load, t0)
  CHECK(s8, 5, 7)
  /* TOR, execute only: load faults */
  S_RUN_REG(s_load, s3)
  CHECK(s8, 5, 8)
  /* S-mode fetch from the read-only NAPOT page: instruction access fault */
  S_RUN_REG(s_jump, s1)
  CHECK(s8, 1, 9)
  bne s9, s1, fail_10

  /* page-table walks are checked as S-mode: a root table in the read-only page still works
     for reading; in the NA4 word (no access) the walk faults with the access's own cause */
  /* root in page_p: entry 2 = 1 GiB identity RWX */
  li t0, (0x80000000 >> 12) << 10 | 0xcf
  sd t0, 16(s1)
  srli t0, s1, 12
  li t1, 8 << 60
  or t0, t0, t1
  csrw satp, t0
  sfence.vma
  S_RUN(s_nop, 0)
  CHECK(s8, 9, 20)
  /* move the root to page_q, whose word 0 (entry 0 of the root) is inaccessible */
  li t0, (0x80000000 >> 12) << 10 | 0xcf
  sd t0, 16(s2)
  srli t0, s2, 12
  li t1, 8 << 60
  or t0, t0, t1
  csrw satp, t0
  sfence.vma
  /* VA 0x1000 walks through root entry 0: load access fault (not a page fault) */
  S_RUN(s_load, 0x1000)
  CHECK(s8, 5, 21)
  CHECK(s9, 0x1000, 22)
  csrw satp, zero
  sfence.vma

  /* lowest-numbered entry wins: make entry 4 NAPOT over page_p RW: still read-only (entry 0) */
  srli t0, s1, 2
  ori t0, t0, (4096 / 8) - 1
  csrw pmpaddr4, t0
  li t0, ((TOR | PMP_X) << 24) | (NA4 << 8) | (NAPOT | PMP_R)
  li t1, NAPOT | PMP_R | PMP_W
  slli t1, t1, 32
  or t0, t0, t1
  csrw pmpcfg0, t0
  S_RUN_REG(s_store, s1)
  CHECK(s8, 7, 30)

  /* reserved R=0 W=1: compare with QEMU */
  li t0, ((TOR | PMP_X) << 24) | (NA4 << 8) | (NAPOT | PMP_W)
  csrw pmpcfg0, t0
  csrr a0, pmpcfg0
  PRINT("pmpcfg0 with W only", a0)

  /* lock entry 0 (read-only): now M stores fault too, and the entry cannot change */
  li t0, ((TOR | PMP_X) << 24) | (NA4 << 8) | (NAPOT | PMP_R | PMP_L)
  csrw pmpcfg0, t0
  ARM_TRAP(1f)
  sd t0, 0(s1)
1:
  CHECK(s8, 7, 40)
  csrw pmpcfg0, zero
  csrr a0, pmpcfg0
  PRINT("pmpcfg0 after clearing with entry 0 locked", a0)
  csrr s4, pmpaddr0
  csrw pmpaddr0, zero
  csrr a0, pmpaddr0
  bne a0, s4, fail_41
  ld a0, 0(s1)
  CHECK(a0, 0x1234, 42)
  j pass

fail_4: li a0, 4; j fail
fail_10: li a0, 10; j fail
fail_41: li a0, 41; j fail

s_load:
  ld a0, 0(a1)
  ecall
s_load32:
  lw a0, 0(a1)
  ecall
s_store:
  sd a1, 0(a1)
  ecall
s_jump:
  jr a1
s_nop:
  nop
  ecall

  .data
  .align 12
page_p: .dword 0x1234
  .align 12
page_q: .dword 0x5678
  .align 12
page_t: .dword 0x9abc
  .align 12
  TEST_EPILOGUE
