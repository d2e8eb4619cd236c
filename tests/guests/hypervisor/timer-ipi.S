/*
 * CLINT checks across harts (threaded scheduler: each hart on its own thread). Hart 1 enables
 * only MSIE, says it is ready and sleeps in WFI. Hart 0 then
 *   1. writes mtime (sd to the CLINT) and checks that its own rdtime moved with it
 *      ("MTIME OK");
 *   2. arms its mtimecmp 50 ms ahead of the new mtime and sleeps in WFI until MTIP
 *      ("TIMER OK");
 *   3. sends hart 1 an IPI (msip[1] = 1) and waits for hart 1 to say it woke; hart 1 records its
 *      rdtime when it wakes, so hart 0 checks that hart 1 sees the moved mtime too, and prints
 *      the wake latency in mtime ticks ("IPI OK latency=0x...").
 * Then it powers off (pass); any failed check prints "... FAIL" and powers off with code 1.
 */
#include "virt.h"
#define CLINT_MSIP0 0x02000000
#define MIE_MSIE    (1 << 3)
#define MIP_MSIP    (1 << 3)
#define MIP_MTIP    (1 << 7)
#define NEW_MTIME   0x10000000000   /* 2^40 ticks: about 30 hours */
#define TEN_SECONDS 100000000
#define FIFTY_MS    500000

  .section .text.init
  .globl _start
_start:
  csrr s2, mhartid
  li s0, UART0
  bnez s2, secondary

  la t0, ready
1:lw t1, 0(t0)
  beqz t1, 1b

  /* 1. mtime moves rdtime */
  li t0, CLINT_MTIME
  li t1, NEW_MTIME
  sd t1, 0(t0)
  rdtime t2
  bltu t2, t1, mtime_fail
  li t3, NEW_MTIME + TEN_SECONDS
  bgeu t2, t3, mtime_fail
  la a1, mtime_ok
  jal puts

  /* 2. the hart's own timer, relative to the moved mtime */
  rdtime s3
  li t0, FIFTY_MS
  add s3, s3, t0
  li t0, CLINT_MTIMECMP0
  sd s3, 0(t0)
  li t0, MIE_MTIE
  csrw mie, t0
2:wfi
  csrr t0, mip
  andi t0, t0, MIP_MTIP
  beqz t0, 2b
  rdtime t1
  bltu t1, s3, timer_fail
  csrw mie, zero
  la a1, timer_ok
  jal puts

  /* 3. IPI to the sleeping hart 1 */
  rdtime s5
  li t0, CLINT_MSIP0 + 4
  li t1, 1
  sw t1, 0(t0)
  la t0, woken
3:lw t1, 0(t0)
  bnez t1, 4f
  rdtime t2
  sub t2, t2, s5
  li t3, TEN_SECONDS
  bltu t2, t3, 3b
  la a1, ipi_fail
  jal puts
  j fail
4:fence
  la t0, waketime
  ld s6, 0(t0)
  li t1, NEW_MTIME
  bltu s6, t1, ipi_time_fail
  la a1, ipi_ok
  jal puts
  sub a0, s6, s5
  jal puthex
  la a1, crlf
  jal puts
  li t0, SYSCON
  li t1, SYSCON_PASS
  sw t1, 0(t0)
  j park

mtime_fail:
  la a1, mtime_bad
  jal puts
  j fail
timer_fail:
  la a1, timer_bad
  jal puts
  j fail
ipi_time_fail:
  la a1, ipi_time_bad
  jal puts
fail:
  li t0, SYSCON
  li t1, (1 << 16) | SYSCON_FAIL
  sw t1, 0(t0)
park:
  csrw mie, zero
5:wfi
  j 5b

secondary:
  li t0, 1
  bne s2, t0, park
  li t0, MIE_MSIE
  csrw mie, t0
  la t0, ready
  li t1, 1
  fence
  sw t1, 0(t0)
6:wfi
  csrr t0, mip
  andi t0, t0, MIP_MSIP
  beqz t0, 6b
  rdtime t1
  la t0, waketime
  sd t1, 0(t0)
  li t0, CLINT_MSIP0 + 4
  sw zero, 0(t0)
  fence
  la t0, woken
  li t1, 1
  sw t1, 0(t0)
  j park

puts:
1:lbu a0, 0(a1)
  beqz a0, 3f
2:lbu t3, UART_LSR(s0)
  andi t3, t3, LSR_THRE
  beqz t3, 2b
  sb a0, UART_THR(s0)
  addi a1, a1, 1
  j 1b
3:ret

/* prints a0 as 16 hex digits (uses t3-t6) */
puthex:
  li t4, 60
1:srl t5, a0, t4
  andi t5, t5, 15
  li t6, 10
  blt t5, t6, 2f
  addi t5, t5, 'a' - 10 - '0'
2:addi t5, t5, '0'
3:lbu t3, UART_LSR(s0)
  andi t3, t3, LSR_THRE
  beqz t3, 3b
  sb t5, UART_THR(s0)
  addi t4, t4, -4
  bgez t4, 1b
  ret

  .section .rodata
mtime_ok: .asciz "MTIME OK\r\n"
mtime_bad: .asciz "MTIME FAIL\r\n"
timer_ok: .asciz "TIMER OK\r\n"
timer_bad: .asciz "TIMER FAIL\r\n"
ipi_ok: .asciz "IPI OK latency=0x"
ipi_fail: .asciz "IPI FAIL: hart 1 did not wake\r\n"
ipi_time_bad: .asciz "IPI FAIL: hart 1 does not see the new mtime\r\n"
crlf: .asciz "\r\n"
  .section .data
  .align 6
ready: .word 0
  .align 6
woken: .word 0
  .align 3
waketime: .dword 0
