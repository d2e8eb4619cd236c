/*
 * An idle guest that answers its console: prints "idle-echo ready\r\n", then sleeps in WFI
 * between interrupts. A timer interrupt every 100 ms counts a tick (the guest keeps running
 * while idle); each byte typed on UART0 (RX interrupt through the PLIC) is echoed, CR as CRLF;
 * 'Q' powers the machine off through the syscon. Secondary harts park in WFI.
 */
#include "virt.h"
#define PERIOD 1000000 /* 100 ms of 10 MHz mtime */

  .section .text.init
  .globl _start
_start:
  csrr t0, mhartid
  bnez t0, park
  la t0, trap
  csrw mtvec, t0
  li s0, UART0
  li t0, 1
  sb t0, UART_IER(s0)           /* receive-data interrupt */
  li s1, PLIC
  li t0, 1
  sw t0, (4 * UART0_IRQ)(s1)    /* priority 1 */
  li t1, PLIC_ENABLE_CTX0
  li t0, 1 << UART0_IRQ
  sw t0, 0(t1)
  li t1, PLIC_THRESHOLD_CTX0
  sw zero, 0(t1)
  la a1, banner
  jal puts
  jal arm_timer
  li t0, MIE_MTIE | MIE_MEIE
  csrw mie, t0
  csrsi mstatus, MSTATUS_MIE
idle:
  wfi
  j idle

park:
  wfi
  j park

/* mtimecmp = mtime + PERIOD (uses t3, t4) */
arm_timer:
  li t3, CLINT_MTIME
  ld t4, 0(t3)
  li t3, PERIOD
  add t4, t4, t3
  li t3, CLINT_MTIMECMP0
  sd t4, 0(t3)
  ret

/* putc a0 (uses t3) */
putc:
  lbu t3, UART_LSR(s0)
  andi t3, t3, LSR_THRE
  beqz t3, putc
  sb a0, UART_THR(s0)
  ret

/* puts a1: NUL-terminated (uses a0, t3, t5) */
puts:
  mv t5, ra
1:lbu a0, 0(a1)
  beqz a0, 2f
  jal putc
  addi a1, a1, 1
  j 1b
2:mv ra, t5
  ret

  .align 4
trap:
  csrr t0, mcause
  bgez t0, fault
  andi t0, t0, 0xff
  li t1, 7
  beq t0, t1, timer
  li t1, 11
  beq t0, t1, external
  mret
timer:
  jal arm_timer
  la t0, ticks
  ld t1, 0(t0)
  addi t1, t1, 1
  sd t1, 0(t0)
  mret
external:
  li t1, PLIC_CLAIM_CTX0
  lw t2, 0(t1)
3:lbu t0, UART_LSR(s0)
  andi t0, t0, LSR_DR
  beqz t0, 4f
  lbu a0, UART_RBR(s0)
  li t0, 'Q'
  beq a0, t0, poweroff
  jal putc
  li t0, '\r'
  bne a0, t0, 3b
  li a0, '\n'
  jal putc
  j 3b
4:sw t2, 0(t1)
  mret

poweroff:
  li t0, SYSCON
  li t1, SYSCON_PASS
  sw t1, 0(t0)
  j park

fault:
  la a1, faultmsg
  jal puts
  li t0, SYSCON
  li t1, (1 << 16) | SYSCON_FAIL
  sw t1, 0(t0)
  j park

  .section .rodata
banner: .asciz "idle-echo ready\r\n"
faultmsg: .asciz "idle-echo: unexpected exception\r\n"
  .section .data
  .align 3
ticks: .dword 0
