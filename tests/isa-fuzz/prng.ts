/**
 * The ISA fuzzer's PRNG: sfc32 seeded from (seed, stream), so the same (seed, index) pair always
 * yields the same sequence and any case can be regenerated from the two numbers alone.
 */
import { Sfc32 } from '../helpers/sfc32.js';

export class Prng extends Sfc32 {
  constructor(seed: number, stream = 0) {
    super(seed | 0, (stream * 0x9e3779b9) | 0, 0x2545f491 ^ stream);
  }
}
