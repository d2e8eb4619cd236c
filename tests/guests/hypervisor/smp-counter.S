/*
 * SMP atomicity check: every hart adds 1 to a shared counter ITERS times with amoadd.w and ITERS
 * times with an lr.w/sc.w loop, then signs in on `done`. Hart 0 waits for all NHARTS, checks
 * counter == 2 * ITERS * NHARTS, prints "SMP PASS" or "SMP FAIL" and powers off (pass / fail code).
 */
#include "virt.h"
#ifndef NHARTS
#define NHARTS 4
#endif
#ifndef ITERS
#define ITERS 20000
#endif

  .section .text.init
  .globl _start
_start:
  csrr s2, mhartid
  li s0, UART0
  la s3, counter
  la s4, done
  li t0, ITERS
1:li t1, 1
  amoadd.w zero, t1, (s3)
  addi t0, t0, -1
  bnez t0, 1b
  li t0, ITERS
2:lr.w t1, (s3)
  addi t1, t1, 1
  sc.w t2, t1, (s3)
  bnez t2, 2b
  addi t0, t0, -1
  bnez t0, 2b
  li t1, 1
  amoadd.w zero, t1, (s4)
  bnez s2, park
3:lw t1, 0(s4)
  li t2, NHARTS
  bne t1, t2, 3b
  lw t1, 0(s3)
  li t2, 2 * ITERS * NHARTS
  bne t1, t2, fail
  la a1, pass_msg
  jal puts
  li t0, SYSCON
  li t1, SYSCON_PASS
  sw t1, 0(t0)
  j park
fail:
  la a1, fail_msg
  jal puts
  li t0, SYSCON
  li t1, (1 << 16) | SYSCON_FAIL
  sw t1, 0(t0)
park:
  wfi
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

  .section .rodata
pass_msg: .asciz "SMP PASS\r\n"
fail_msg: .asciz "SMP FAIL\r\n"
  .section .data
  .align 6
counter: .word 0
  .align 6
done: .word 0
