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

/* Print "label=" then a register in hex and a newline. Labels starting with '~' are values
 * known to differ from QEMU 7.2 (explained in the label) and are not compared with it.  Clobbers a0-a3, t5, t6 and ra. */
#define PRINT(label, reg) mv a1, reg; la a0, 8f; jal print_kv; .pushsection .rodata; 8: .asciz label; .popsection

/*
 * Trap catching: set s11 to a resume label (ARM_TRAP), run code that should trap. The M-mode
 * handler records mcause -> s8, mtval -> s9, mepc -> s7 and s5 = 3, then returns to s11 in
 * M-mode. The S-mode handler (when stvec = shandler and the trap is delegated) records
 * scause/stval/sepc with s5 = 1 and forwards to M with an ecall, which keeps those values.
 */
#define ARM_TRAP(resume) la s11, resume; li s8, -1; li s9, -1; li s5, -1

/* Leave M-mode for S or U at `target` via MRET. Clobbers t0. */
#define GOTO_MODE(mode, target) li t0, MSTATUS_MPP; csrc mstatus, t0; li t0, (mode) << 11; csrs mstatus, t0; la t0, target; csrw mepc, t0; mret

.macro TEST_PROLOGUE
  .section .text.init
  .globl _start
_start:
  la sp, stack_top
  la t0, mhandler
  csrw mtvec, t0
  la s11, unexpected_trap
  li s6, 0
  /* PMP entry 15 grants S and U everything (as OpenSBI does): with PMP implemented, an
     access no entry matches fails outside M-mode */
  li t0, -1
  csrw pmpaddr15, t0
  li t0, 0x1f << 56
  csrw pmpcfg2, t0
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

  .align 2
  .globl mhandler
mhandler:
  bnez s6, 1f
  csrr s8, mcause
  csrr s9, mtval
  csrr s7, mepc
  li s5, 3
1:
  li s6, 0
  /* return to s11 in M-mode with interrupts off */
  li t0, MSTATUS_MPP
  csrs mstatus, t0
  li t0, MSTATUS_MPIE
  csrc mstatus, t0
  csrw mepc, s11
  mret

  .align 2
  .globl shandler
shandler:
  csrr s8, scause
  csrr s9, stval
  csrr s7, sepc
  li s5, 1
  li s6, 1
  ecall

/* a trap nobody armed: print mcause/mepc/mtval and fail with 1000 */
unexpected_trap:
  la sp, stack_top
  PRINT("unexpected cause", s8)
  PRINT("epc", s7)
  PRINT("tval", s9)
  li a0, 1000
  j fail

/* print_kv: a0 = NUL-terminated label, a1 = value */
print_kv:
  mv t5, ra
  li t6, UART0
1:
  lbu a2, 0(a0)
  beqz a2, 2f
  jal putc
  addi a0, a0, 1
  j 1b
2:
  li a2, '='
  jal putc
  li a3, 60
3:
  srl a2, a1, a3
  andi a2, a2, 15
  addi a2, a2, '0'
  li a0, '9'
  ble a2, a0, 4f
  addi a2, a2, 'a' - '0' - 10
4:
  jal putc
  addi a3, a3, -4
  bgez a3, 3b
  li a2, '\n'
  jal putc
  mv ra, t5
  ret

/* putc: a2 = byte; waits for THRE (LSR bit 5) so QEMU drops nothing. Clobbers a4. */
putc:
  lbu a4, 5(t6)
  andi a4, a4, 0x20
  beqz a4, putc
  sb a2, 0(t6)
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
