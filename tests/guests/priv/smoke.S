#include "test.h"
  TEST_PROLOGUE
main:
  li a0, 5
  li a1, 7
  mul a2, a0, a1
  CHECK(a2, 35, 1)
  li a0, -1
  li a1, -1
  mulhu a2, a0, a1
  CHECK(a2, -2, 2)
  mulh a2, a0, a1
  CHECK(a2, 0, 3)
  li a0, 0x123456789abcdef0
  li a1, 0x0fedcba987654321
  mulhu a2, a0, a1
  CHECK(a2, 0x0121fa00ad77d742, 4)
  PRINT("mulhu", a2)
  li a0, -100
  li a1, 7
  div a2, a0, a1
  CHECK(a2, -14, 5)
  rem a2, a0, a1
  CHECK(a2, -2, 6)
  csrr a0, misa
  PRINT("misa", a0)
  csrr a0, mstatus
  PRINT("mstatus", a0)
  la a0, buf
  li a1, 0x1122334455667788
  sd a1, 1(a0)
  ld a2, 1(a0)
  CHECK(a2, 0x1122334455667788, 7)
  lw a2, 3(a0)
  CHECK(a2, 0x33445566, 8)
  c.addi a2, 1
  CHECK(a2, 0x33445567, 9)
  j pass
  .data
buf: .skip 32
  TEST_EPILOGUE
