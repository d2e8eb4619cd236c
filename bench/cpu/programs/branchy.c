/* Branchy: quicksort of random keys (unpredictable compares) and a switch-dispatched bytecode interpreter. */
#include "bench.h"

#define KEYS 32768
static u32 keys[KEYS];

static void quicksort(u32 *v, int lo, int hi) {
  while (lo < hi) {
    u32 pivot = v[lo + (hi - lo) / 2];
    int i = lo, j = hi;
    while (i <= j) {
      while (v[i] < pivot) i++;
      while (v[j] > pivot) j--;
      if (i <= j) {
        u32 t = v[i];
        v[i] = v[j];
        v[j] = t;
        i++;
        j--;
      }
    }
    if (j - lo < hi - i) {
      quicksort(v, lo, j);
      lo = i;
    } else {
      quicksort(v, i, hi);
      hi = j;
    }
  }
}

/* A small register machine; opcodes picked by data so the dispatch jump is hard to predict. */
enum { OP_ADD, OP_SUB, OP_XOR, OP_MUL, OP_SHR, OP_JODD, OP_LOAD, OP_HALT };
typedef struct { u8 op, d, s, t; } insn;
#define PROG 64
static insn prog[PROG];

static u64 interpret(u64 seed, int steps) {
  u64 r[8];
  for (int i = 0; i < 8; i++) r[i] = mix64(seed + i);
  int pc = 0;
  for (int n = 0; n < steps; n++) {
    insn in = prog[pc];
    pc = (pc + 1) & (PROG - 1);
    switch (in.op) {
    case OP_ADD: r[in.d] = r[in.s] + r[in.t]; break;
    case OP_SUB: r[in.d] = r[in.s] - r[in.t]; break;
    case OP_XOR: r[in.d] = r[in.s] ^ (r[in.t] >> 3); break;
    case OP_MUL: r[in.d] = r[in.s] * (r[in.t] | 1); break;
    case OP_SHR: r[in.d] = r[in.s] >> (r[in.t] & 31); break;
    case OP_JODD: if (r[in.s] & 1) pc = (pc + in.t) & (PROG - 1); break;
    case OP_LOAD: r[in.d] = keys[r[in.s] & (KEYS - 1)]; break;
    default: r[in.d] ^= 0x5555; break;
    }
  }
  return r[0] ^ r[1] ^ r[2] ^ r[3] ^ r[4] ^ r[5] ^ r[6] ^ r[7];
}

static u64 bench(int scale) {
  u64 s = 3, sum = 0;
  for (int i = 0; i < PROG; i++) {
    s = mix64(s);
    prog[i] = (insn){ (u8)(s % 8), (u8)((s >> 8) & 7), (u8)((s >> 16) & 7), (u8)((s >> 24) & 7) };
  }
  for (int r = 0; r < 8 * scale; r++) {
    for (int i = 0; i < KEYS; i++) s = mix64(s), keys[i] = (u32)s;
    quicksort(keys, 0, KEYS - 1);
    sum = sum * 31 + keys[KEYS / 3] + keys[r];
    sum ^= interpret(sum, 400000);
  }
  return sum;
}
