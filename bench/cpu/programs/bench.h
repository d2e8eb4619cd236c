/*
 * Shared start and output for the bench/cpu guest programs. Each program defines
 * `u64 bench(int scale)`; this file runs it once and prints "start", then "checksum <hex>".
 * Guest (bare metal on the virt board): stack at RAM base + 64 MiB, FPU on, output through the
 * ns16550a THR at 0x1000_0000, then the sifive test finisher (0x5555 at 0x10_0000) powers off.
 * Native (-DNATIVE, host gcc): the same through stdio, for the physical limit.
 */
typedef unsigned long long u64;
typedef unsigned int u32;
typedef unsigned char u8;

#ifndef SCALE
#define SCALE 1
#endif

static u64 bench(int scale);
/* volatile so the compiler cannot specialise the workload for the scale. */
static volatile int scale_v = SCALE;

/* A 64-bit mixer (splitmix64), used to seed data and fold results. */
static inline u64 mix64(u64 x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

#ifdef NATIVE
#include <stdio.h>
int main(void) {
  printf("start\n");
  fflush(stdout);
  u64 c = bench(scale_v);
  printf("checksum %016llx\n", c);
  return 0;
}
#else
#define UART_THR ((volatile u8 *)0x10000000)
#define SIFIVE_TEST ((volatile u32 *)0x100000)

static void put(const char *s) {
  while (*s) *UART_THR = (u8)*s++;
}

/* gcc may turn loops into these calls even with -ffreestanding. */
void *memset(void *d, int c, unsigned long n) {
  u8 *p = d;
  while (n--) *p++ = (u8)c;
  return d;
}
void *memcpy(void *d, const void *s, unsigned long n) {
  u8 *p = d;
  const u8 *q = s;
  while (n--) *p++ = *q++;
  return d;
}

void bench_entry(void) {
  put("start\n");
  u64 c = bench(scale_v);
  char line[] = "checksum 0000000000000000\n";
  for (int i = 0; i < 16; i++) line[9 + i] = "0123456789abcdef"[(c >> (60 - 4 * i)) & 15];
  put(line);
  *SIFIVE_TEST = 0x5555;
  for (;;) {}
}

/* Linked first (link.ld): -bios none enters at the RAM base. mstatus.FS = dirty enables the FPU. */
__attribute__((naked, section(".text.start"))) void _start(void) {
  __asm__ volatile("li sp, 0x84000000\n\tli t0, 0x6000\n\tcsrs mstatus, t0\n\tj bench_entry");
}
#endif
