/*
 * A console flood for the e2e test: prints "console-flood ready\r\n", then waits (WFI on UART and
 * timer interrupts, taken with mstatus.MIE off so they only wake it). Typing 'f' starts a flood of
 * LINES lines of 64 bytes at RATE bytes per second, paced by mtime:
 *
 *   F000123 defgh...(54 letters: 'a' + (n + i) % 26)...\r\n
 *
 * so the receiver can check that every line arrived, once and in order. It ends with
 * "FLOOD DONE\r\n". Every byte typed (also during the flood) comes back as a line "ECHO xx\r\n"
 * (hex), and a break on the line (LSR.BI) as "BREAK\r\n". Lines go out 16 bytes per THRE, as a
 * driver fills a 16550's FIFO. Secondary harts park.
 */
#include "virt.h"
#define UART_FCR  2
#define LSR_BI    0x10
#ifndef RATE
#define RATE 131072
#endif
#ifndef LINES
#define LINES 8192
#endif
#define LINE_BYTES 64
#define TICKS_PER_LINE (10000000 * LINE_BYTES / RATE)

  .section .text.init
  .globl _start
_start:
  csrr t0, mhartid
  bnez t0, park
  la sp, stack_top
  li s10, 0                     /* LSR.BI seen by a read for THRE, not yet handled */
  li s0, UART0
  li t0, 0x07
  sb t0, UART_FCR(s0)           /* FIFOs on, cleared */
  li t0, 0x05
  sb t0, UART_IER(s0)           /* receive data + receiver line status */
  li t1, PLIC
  li t0, 1
  sw t0, (4 * UART0_IRQ)(t1)
  li t1, PLIC_ENABLE_CTX0
  li t0, 1 << UART0_IRQ
  sw t0, 0(t1)
  li t1, PLIC_THRESHOLD_CTX0
  sw zero, 0(t1)
  li t0, MIE_MTIE | MIE_MEIE
  csrw mie, t0                  /* they wake WFI; mstatus.MIE stays 0, so no trap is taken */
  la a0, banner
  call puts

idle:
  call poll
  bnez a0, flood
  li t0, CLINT_MTIME
  ld t1, 0(t0)
  li t2, 1000000                /* 100 ms */
  add a0, t1, t2
  call sleep_until
  j idle

flood:
  li s1, 0
  li t0, CLINT_MTIME
  ld s2, 0(t0)
  li s3, LINES
  li s4, TICKS_PER_LINE
1:beq s1, s3, 3f
  mul t0, s1, s4
  add s5, s2, t0                /* when line s1 is due */
2:li t0, CLINT_MTIME
  ld t1, 0(t0)
  bgeu t1, s5, 4f
  mv a0, s5
  call sleep_until
  call poll
  j 2b
4:mv a0, s1
  call put_line
  andi t0, s1, 15
  bnez t0, 5f
  call poll
5:addi s1, s1, 1
  j 1b
3:la a0, done
  call puts
  j idle

park:
  wfi
  j park

/* mtimecmp = a0, then WFI until it passes or input arrives. */
sleep_until:
  li t0, CLINT_MTIMECMP0
  sd a0, 0(t0)
  wfi
  ret

/* putc a0. Reading LSR clears BI: keep it in s10 for poll (Linux's lsr_saved_flags). */
putc:
  lbu t1, UART_LSR(s0)
  andi t2, t1, LSR_BI
  or s10, s10, t2
  andi t1, t1, LSR_THRE
  beqz t1, putc
  sb a0, UART_THR(s0)
  ret

/* puts a0: NUL-terminated */
puts:
  addi sp, sp, -16
  sd ra, 0(sp)
  sd s6, 8(sp)
  mv s6, a0
1:lbu a0, 0(s6)
  beqz a0, 2f
  call putc
  addi s6, s6, 1
  j 1b
2:ld ra, 0(sp)
  ld s6, 8(sp)
  addi sp, sp, 16
  ret

/* line a0 into linebuf, then out 16 bytes per THRE */
put_line:
  la t0, linebuf
  li t1, 'F'
  sb t1, 0(t0)
  mv t2, a0
  li t3, 10
  addi t4, t0, 6
1:remu t5, t2, t3
  addi t5, t5, '0'
  sb t5, 0(t4)
  divu t2, t2, t3
  addi t4, t4, -1
  bne t4, t0, 1b
  li t1, ' '
  sb t1, 7(t0)
  li t3, 26
  remu t2, a0, t3
  li t4, 0
  li t6, 54
2:add t5, t2, t4
  remu t5, t5, t3
  addi t5, t5, 'a'
  add t1, t0, t4
  sb t5, 8(t1)
  addi t4, t4, 1
  bne t4, t6, 2b
  li t1, '\r'
  sb t1, 62(t0)
  li t1, '\n'
  sb t1, 63(t0)
  li t4, 0
  li t6, LINE_BYTES
3:lbu t1, UART_LSR(s0)
  andi t2, t1, LSR_BI
  or s10, s10, t2
  andi t1, t1, LSR_THRE
  beqz t1, 3b
  li t2, 16
4:add t1, t0, t4
  lbu t5, 0(t1)
  sb t5, UART_THR(s0)
  addi t4, t4, 1
  addi t2, t2, -1
  bnez t2, 4b
  bne t4, t6, 3b
  ret

/* Drains the UART: echoes each byte as "ECHO xx", a break as "BREAK". Returns a0 = 1 if 'f' came. */
poll:
  addi sp, sp, -48
  sd ra, 0(sp)
  sd s6, 8(sp)
  sd s7, 16(sp)
  sd s8, 24(sp)
  sd s9, 32(sp)
  li s6, 0
  li s7, PLIC_CLAIM_CTX0
  lw s8, 0(s7)                  /* claim: the PLIC stops waking us while we drain */
1:lbu t0, UART_LSR(s0)
  or t0, t0, s10
  li s10, 0
  andi t1, t0, LSR_BI
  bnez t1, 3f
  andi t1, t0, LSR_DR
  beqz t1, 4f
  lbu s9, UART_RBR(s0)
  li t1, 'f'
  bne s9, t1, 2f
  li s6, 1
2:la a0, echo
  call puts
  srli a0, s9, 4
  call puthex
  andi a0, s9, 15
  call puthex
  la a0, crlf
  call puts
  j 1b
3:andi t1, t0, LSR_DR
  beqz t1, 5f
  lbu t1, UART_RBR(s0)          /* the break's zero byte */
5:la a0, brk
  call puts
  j 1b
4:beqz s8, 6f
  sw s8, 0(s7)                  /* complete */
6:mv a0, s6
  ld ra, 0(sp)
  ld s6, 8(sp)
  ld s7, 16(sp)
  ld s8, 24(sp)
  ld s9, 32(sp)
  addi sp, sp, 48
  ret

/* puthex a0: one hex digit */
puthex:
  li t1, 10
  bltu a0, t1, 1f
  addi a0, a0, 'a' - 10 - '0'
1:addi a0, a0, '0'
  j putc

  .section .rodata
banner: .asciz "console-flood ready\r\n"
done:   .asciz "FLOOD DONE\r\n"
echo:   .asciz "ECHO "
crlf:   .asciz "\r\n"
brk:    .asciz "BREAK\r\n"
  .section .bss
  .align 4
linebuf: .space 64
  .align 4
stack: .space 4096
stack_top:
