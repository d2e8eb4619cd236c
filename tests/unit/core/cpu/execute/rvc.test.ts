import { describe, expect, it } from 'vitest';
import { EXPANDED, expandCompressed } from '../../../../../core/cpu/execute/rvc.js';
import { lookup } from '../../../../../core/isa/instructions.js';

describe('compressed expansion', () => {
  it('maps every 16-bit encoding to the 32-bit instruction the ISA table names, or 0 when illegal', () => {
    const wrong: string[] = [];
    for (let h = 0; h < 65536; h++) {
      if ((h & 3) === 3) continue;
      const spec = lookup(h);
      const e = EXPANDED[h];
      if (spec === undefined) {
        if (e !== 0) wrong.push(`${h.toString(16)}: illegal in the table, expands to ${e.toString(16)}`);
        continue;
      }
      const got = lookup(e)?.name;
      if (got !== spec.expandsTo) wrong.push(`${h.toString(16)} ${spec.name}: expands to ${got}, table says ${spec.expandsTo}`);
    }
    expect(wrong.slice(0, 20)).toEqual([]);
  });

  it('expands operands and immediates as the spec lays them out', () => {
    // c.addi16sp sp, -64 -> addi sp, sp, -64
    expect(expandCompressed(0x7139) >>> 0).toBe(0xfc010113);
    // c.lwsp a0, 12(sp) -> lw a0, 12(sp)
    expect(expandCompressed(0x4532) >>> 0).toBe(0x00c12503);
    // c.sdsp ra, 8(sp) -> sd ra, 8(sp)
    expect(expandCompressed(0xe406) >>> 0).toBe(0x00113423);
    // c.j -2 -> jal x0, -2
    expect(expandCompressed(0xbffd) >>> 0).toBe(0xfffff06f);
    // c.beqz a0, +8 -> beq a0, x0, 8
    expect(expandCompressed(0xc501) >>> 0).toBe(0x00050463);
    // c.lui a5, 0xfffe1 -> lui a5, 0xfffe1
    expect(expandCompressed(0x7785) >>> 0).toBe(0xfffe17b7);
  });
});
