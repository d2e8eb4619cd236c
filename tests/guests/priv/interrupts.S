/* Interrupts: CLINT MSIP and MTIP, software-written SSIP/STIP/SEIP, priorities, global
 * enables per privilege, delegation to S, vectored mtvec, WFI wake-up. */
#include "test.h"
#define IRQ(n) ((1 << 63) | (n))
  TEST_PROLOGUE
main:
  /* nothing pending at reset, except what QEMU's CLINT has: keep mtimecmp far away */
  li t0, MTIMECMP
  li t1, -1
  sd t1, 0(t0)
  csrw mie, zero

  /* M software interrupt from the CLINT */
  li t0, 1 << 3
  csrs mie, t0
  ARM_TRAP(1f)
  li t0, CLINT
  li t1, 1
  sw t1, 0(t0)
  csrsi mstatus, MSTATUS_MIE
  /* must not get here */
  li a0, 1
  j fail
1:
  CHECK(s8, IRQ(3), 2)
  csrr a0, mip
  andi a0, a0, 1 << 3
  CHECK(a0, 1 << 3, 3)
  li t0, CLINT
  sw zero, 0(t0)
  csrr a0, mip
  andi a0, a0, 1 << 3
  CHECK(a0, 0, 4)

  /* timer: WFI with MIE=0 wakes up on MTIP without taking it */
  li t0, 1 << 7
  csrw mie, t0
  li t0, MTIME
  ld t1, 0(t0)
  li t2, 100000
  add t1, t1, t2
  li t0, MTIMECMP
  sd t1, 0(t0)
  csrr a0, mip
  andi a0, a0, 1 << 7
  CHECK(a0, 0, 10)
2:
  wfi
  csrr a0, mip
  andi a0, a0, 1 << 7
  beqz a0, 2b
  /* now enable: taken at once, mepc = the instruction after csrs */
  ARM_TRAP(1f)
  la s10, 3f
  csrsi mstatus, MSTATUS_MIE
3:
  li a0, 11
  j fail
1:
  CHECK(s8, IRQ(7), 12)
  bne s7, s10, fail_13
  li t0, MTIMECMP
  li t1, -1
  sd t1, 0(t0)

  /* priorities: MSI > MTI > SSI > STI (all M-level); SEI via mip.SEIP */
  csrw mie, zero
  li t0, CLINT
  li t1, 1
  sw t1, 0(t0)
  li t0, (1 << 1) | (1 << 5) | (1 << 9)
  csrs mip, t0
  csrr a0, mip
  PRINT("mip with MSIP SSIP STIP SEIP", a0)
  li t0, 0xaaa
  csrw mie, t0
  ARM_TRAP(1f)
  csrsi mstatus, MSTATUS_MIE
1:
  mv s0, s8
  PRINT("~first interrupt (QEMU 7.2 without AIA takes the lowest number first; Priv 3.1.9 orders MEI MSI MTI SEI SSI STI)", s0)
  jal clear_taken
  ARM_TRAP(1f)
  csrsi mstatus, MSTATUS_MIE
1:
  mv s0, s8
  PRINT("~second interrupt (QEMU 7.2 without AIA takes the lowest number first; Priv 3.1.9 orders MEI MSI MTI SEI SSI STI)", s0)
  jal clear_taken
  ARM_TRAP(1f)
  csrsi mstatus, MSTATUS_MIE
1:
  mv s0, s8
  PRINT("~third interrupt (QEMU 7.2 without AIA takes the lowest number first; Priv 3.1.9 orders MEI MSI MTI SEI SSI STI)", s0)
  jal clear_taken
  ARM_TRAP(1f)
  csrsi mstatus, MSTATUS_MIE
1:
  mv s0, s8
  PRINT("~fourth interrupt (QEMU 7.2 without AIA takes the lowest number first; Priv 3.1.9 orders MEI MSI MTI SEI SSI STI)", s0)
  jal clear_taken

  /* delegated SSI: not taken in M even with SIE; taken in S with SIE; in U regardless */
  la t0, shandler
  csrw stvec, t0
  li t0, 0x222
  csrw mideleg, t0
  csrsi mip, 1 << 1
  csrsi mstatus, MSTATUS_SIE | MSTATUS_MIE
  nop
  nop
  csrci mstatus, MSTATUS_MIE
  csrr a0, sip
  CHECK(a0, 2, 30)
  ARM_TRAP(1f)
  GOTO_MODE(1, s_spin)
1:
  CHECK(s8, IRQ(1), 31)
  CHECK(s5, 1, 32)
  /* S-mode with SIE=0: not taken; U-mode: taken */
  csrsi mip, 1 << 1
  csrci mstatus, MSTATUS_SIE
  ARM_TRAP(1f)
  GOTO_MODE(1, s_spin_ecall)
1:
  CHECK(s8, 9, 33)
  ARM_TRAP(1f)
  GOTO_MODE(0, s_spin)
1:
  CHECK(s8, IRQ(1), 34)
  CHECK(s5, 1, 35)
  /* S-mode: an M-level interrupt (MSI) is taken even though MIE=0 */
  csrci mip, 1 << 1
  li t0, CLINT
  li t1, 1
  sw t1, 0(t0)
  ARM_TRAP(1f)
  GOTO_MODE(1, s_spin)
1:
  CHECK(s8, IRQ(3), 36)
  CHECK(s5, 3, 37)
  li t0, CLINT
  sw zero, 0(t0)
  csrw mideleg, zero

  /* vectored mtvec: interrupt n goes to base + 4n, exceptions to base */
  la t0, vectors
  ori t0, t0, 1
  csrw mtvec, t0
  li s10, -1
  li t0, CLINT
  li t1, 1
  sw t1, 0(t0)
  csrw mie, 1 << 3
  ARM_TRAP(1f)
  csrsi mstatus, MSTATUS_MIE
1:
  CHECK(s10, 3, 40)
  CHECK(s8, IRQ(3), 41)
  li t0, CLINT
  sw zero, 0(t0)
  li s10, -1
  ARM_TRAP(1f)
  ecall
1:
  CHECK(s10, 0, 42)
  CHECK(s8, 11, 43)
  la t0, mhandler
  csrw mtvec, t0
  csrw mie, zero
  j pass

fail_13: li a0, 13; j fail

/* clears the pending source of the interrupt recorded in s8 (MSI, SSI, STI or SEI) */
clear_taken:
  slli t0, s8, 1
  srli t0, t0, 1
  li t1, 3
  bne t0, t1, 1f
  li t1, CLINT
  sw zero, 0(t1)
  ret
1:
  li t1, 1
  sll t1, t1, t0
  csrc mip, t1
  ret

s_spin:
  nop
  nop
  j s_spin
s_spin_ecall:
  nop
  nop
  ecall

  .align 6
  .option push
  .option norvc
vectors:
  j vec0
  j vec1
  j vec2
  j vec3
  .option pop
vec0: li s10, 0; j mhandler
vec1: li s10, 1; j mhandler
vec2: li s10, 2; j mhandler
vec3: li s10, 3; j mhandler
  TEST_EPILOGUE
