/* QEMU virt addresses the guests use (ARCHITECTURE.md §3). */
#define UART0       0x10000000
#define UART_RBR    0
#define UART_THR    0
#define UART_IER    1
#define UART_LSR    5
#define LSR_DR      0x01
#define LSR_THRE    0x20
#define UART0_IRQ   10
#define PLIC        0x0c000000
#define PLIC_ENABLE_CTX0    (PLIC + 0x2000)
#define PLIC_THRESHOLD_CTX0 (PLIC + 0x200000)
#define PLIC_CLAIM_CTX0     (PLIC + 0x200004)
#define CLINT_MTIMECMP0 0x02004000
#define CLINT_MTIME     0x0200bff8
#define SYSCON      0x00100000
#define SYSCON_PASS 0x5555
#define SYSCON_FAIL 0x3333
#define MIE_MTIE    (1 << 7)
#define MIE_MEIE    (1 << 11)
#define MSTATUS_MIE 8
