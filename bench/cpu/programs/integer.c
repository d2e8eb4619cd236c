/* Integer arithmetic: table CRC32 over a 64 KiB buffer and a 64-bit multiply/xor/rotate hash over it. */
#include "bench.h"

#define BYTES 65536
static u8 buf[BYTES];
static u32 crc_table[256];

static u32 crc32(const u8 *p, int n, u32 c) {
  c = ~c;
  for (int i = 0; i < n; i++) c = crc_table[(c ^ p[i]) & 0xff] ^ (c >> 8);
  return ~c;
}

static u64 hash(const u64 *w, int n, u64 h) {
  for (int i = 0; i < n; i++) {
    u64 k = w[i] * 0x87c37b91114253d5ull;
    k = (k << 31) | (k >> 33);
    h ^= k * 0x4cf5ad432745937full;
    h = ((h << 27) | (h >> 37)) * 5 + 0x52dce729;
  }
  return h;
}

static u64 bench(int scale) {
  for (u32 i = 0; i < 256; i++) {
    u32 c = i;
    for (int k = 0; k < 8; k++) c = (c >> 1) ^ (0xedb88320u & -(c & 1));
    crc_table[i] = c;
  }
  u64 s = 1;
  for (int i = 0; i < BYTES; i += 8) {
    s = mix64(s);
    for (int b = 0; b < 8; b++) buf[i + b] = (u8)(s >> (8 * b));
  }
  u64 h = 0;
  u32 crc = 0;
  for (int r = 0; r < 120 * scale; r++) {
    crc = crc32(buf, BYTES, crc);
    h = hash((const u64 *)buf, BYTES / 8, h ^ crc);
    buf[r & (BYTES - 1)] ^= (u8)h; /* each round sees different data */
  }
  return h ^ ((u64)crc << 32);
}
