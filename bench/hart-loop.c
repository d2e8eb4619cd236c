/* Integer workload for bench/hart-loop.ts: CRC32, a sieve and an insertion sort, ITERATIONS times. */
typedef unsigned long u64;
typedef unsigned int u32;

void bench_main(void);

/* Entry (first in .text: QEMU's -bios none starts at the RAM base): a stack at RAM base + 32 MiB, then the workload. */
__attribute__((naked)) void _start(void) {
  __asm__ volatile("li sp, 0x82000000\n\tj bench_main");
}

void *memset(void *d, int c, unsigned long n) {
  unsigned char *p = d;
  while (n--) *p++ = (unsigned char)c;
  return d;
}

static unsigned char buf[4096];
static u32 arr[256];
volatile u64 sink;

static u32 crc32(const unsigned char *p, int n) {
  u32 c = 0xffffffffu;
  for (int i = 0; i < n; i++) {
    c ^= p[i];
    for (int k = 0; k < 8; k++) c = (c >> 1) ^ (0xedb88320u & -(c & 1));
  }
  return ~c;
}

static int sieve(int n) {
  static unsigned char comp[8192];
  int count = 0;
  for (int i = 0; i < n; i++) comp[i] = 0;
  for (int i = 2; i < n; i++) {
    if (comp[i]) continue;
    count++;
    for (int j = i * 2; j < n; j += i) comp[j] = 1;
  }
  return count;
}

static void sort(u32 *a, int n) {
  for (int i = 1; i < n; i++) {
    u32 v = a[i];
    int j = i - 1;
    while (j >= 0 && a[j] > v) { a[j + 1] = a[j]; j--; }
    a[j + 1] = v;
  }
}

/* ITERATIONS rounds, then power off through the sifive test finisher (QEMU virt's 0x100000). */
#ifndef ITERATIONS
#define ITERATIONS 200
#endif

void bench_main(void) {
  u64 seed = 12345;
  for (int round = 0; round < ITERATIONS; round++) {
    for (int i = 0; i < 4096; i++) { seed = seed * 6364136223846793005ul + 1442695040888963407ul; buf[i] = seed >> 56; }
    for (int i = 0; i < 256; i++) arr[i] = (u32)(seed >> 20) ^ (u32)(i * 2654435761u), seed = seed * 6364136223846793005ul + 1;
    u64 s = crc32(buf, 4096);
    s += sieve(8192);
    sort(arr, 256);
    s += arr[17];
    sink = s;
  }
  *(volatile u32 *)0x100000 = 0x5555;
  for (;;) {}
}
