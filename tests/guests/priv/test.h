/*
 * Common macros for the self-checking privileged test programs.
 *
 * A program starts at _start in M-mode, reports results as text on the UART
 * (ns16550 THR at 0x1000_0000) and ends with PASS or FAIL: both write Spike's HTIF
 * `tohost` ((code << 1) | 1) and the sifive test finisher at 0x10_0000, so the same
 * binary ends cleanly on RiscStation's harness and on qemu-system-riscv64 -M virt -bios none.
 */
#define UART0     0x10000000
#define FINISHER  0x100000
#define CLINT     0x2000000
#define MTIMECMP  (CLINT + 0x4000)
#define MTIME     (CLINT + 0xbff8)

#define MSTATUS_SIE  (1 << 1)
#define MSTATUS_MIE  (1 << 3)
#define MSTATUS_SPIE (1 << 5)
#define MSTATUS_MPIE (1 << 7)
#define MSTATUS_SPP  (1 << 8)
#define MSTATUS_MPP  (3 << 11)
#define MSTATUS_FS   (3 << 13)
#define MSTATUS_MPRV (1 << 17)
#define MSTATUS_SUM  (1 << 18)
#define MSTATUS_MXR  (1 << 19)
#define MSTATUS_TVM  (1 << 20)
#define MSTATUS_TW   (1 << 21)
#define MSTATUS_TSR  (1 << 22)

/* Fail with code `n` (1..1023) unless reg == expected. Clobbers t6. */
#define CHECK(reg, expected, n) li t6, expected; beq reg, t6, 1f; li a0, n; j fail; 1:

/* Print "label=" then a register in hex and a newline. Clobbers a0-a3, t5, t6 and ra. */
#define PRINT(label, reg) mv a1, reg; la a0, 8f; jal print_kv; .pushsection .rodata; 8: .asciz label; .popsection

.macro TEST_PROLOGUE
  .section .text.init
  .globl _start
_start:
  la sp, stack_top
  la t0, unexpected_trap
  csrw mtvec, t0
  j main
.endm

.macro TEST_EPILOGUE
  .text
/* a0 = code: 0 passes, anything else fails */
  .globl pass
pass:
  li a0, 0
  .globl fail
fail:
  slli t0, a0, 1
  ori t0, t0, 1
  la t1, tohost
  sd t0, 0(t1)
  li t1, FINISHER
  li t2, 0x5555
  beqz a0, 2f
  slli t2, a0, 16
  li t3, 0x3333
  or t2, t2, t3
2:
  sw t2, 0(t1)
3:
  j 3b

/* unexpected trap in M-mode: print mcause/mepc/mtval and fail with 1000 */
unexpected_trap:
  la sp, stack_top
  csrr s0, mcause
  PRINT("unexpected mcause", s0)
  csrr s0, mepc
  PRINT("mepc", s0)
  csrr s0, mtval
  PRINT("mtval", s0)
  li a0, 1000
  j fail

/* print_kv: a0 = NUL-terminated label, a1 = value */
print_kv:
  mv t5, ra
  li t6, UART0
1:
  lbu a2, 0(a0)
  beqz a2, 2f
  sb a2, 0(t6)
  addi a0, a0, 1
  j 1b
2:
  li a2, '='
  sb a2, 0(t6)
  li a3, 60
3:
  srl a2, a1, a3
  andi a2, a2, 15
  addi a2, a2, '0'
  li a0, '9'
  ble a2, a0, 4f
  addi a2, a2, 'a' - '0' - 10
4:
  sb a2, 0(t6)
  addi a3, a3, -4
  bgez a3, 3b
  li a2, '\n'
  sb a2, 0(t6)
  mv ra, t5
  ret

  .bss
  .align 4
stack: .skip 4096
stack_top:

  .section .tohost, "aw", @progbits
  .align 6
  .globl tohost
tohost: .dword 0
  .align 6
  .globl fromhost
fromhost: .dword 0
.endm
