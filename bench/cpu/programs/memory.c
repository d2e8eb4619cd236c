/* Memory-bound: pointer chasing through a random cycle over 4 MiB, and a stream triad over 3 MiB. */
#include "bench.h"

#define NODES (1 << 19) /* 8-byte links: 4 MiB */
#define STREAM (1 << 17) /* three arrays of 1 MiB */
static u64 next[NODES];
static u64 a[STREAM], b[STREAM], c[STREAM];

static u64 bench(int scale) {
  /* Sattolo's shuffle: one cycle through every node, so the walk visits all of them. */
  for (u64 i = 0; i < NODES; i++) next[i] = i;
  u64 s = 7;
  for (u64 i = NODES - 1; i > 0; i--) {
    s = mix64(s);
    u64 j = s % i;
    u64 t = next[i];
    next[i] = next[j];
    next[j] = t;
  }
  for (u64 i = 0; i < STREAM; i++) b[i] = mix64(i), c[i] = i * 3;
  u64 sum = 0, p = 0;
  for (int r = 0; r < 10 * scale; r++) {
    for (int k = 0; k < NODES; k++) {
      p = next[p];
      sum += p;
    }
    for (int i = 0; i < STREAM; i++) a[i] = b[i] + (u64)(r + 1) * c[i];
    for (int i = 0; i < STREAM; i++) b[i] = a[(i * 2654435761u) & (STREAM - 1)] ^ c[i];
    sum ^= a[r & (STREAM - 1)] + b[(r * 7) & (STREAM - 1)];
  }
  return sum;
}
