import { describe, expect, it } from 'vitest';
import { MemoryBlockBackend } from '../../../../core/storage/block-backend.js';

describe('MemoryBlockBackend', () => {
  it('reads back what was written and zeroes ranges', async () => {
    const disk = new MemoryBlockBackend(4096);
    await disk.write(512, Uint8Array.of(1, 2, 3));
    const got = new Uint8Array(4);
    await disk.read(511, got);
    expect(Array.from(got)).toEqual([0, 1, 2, 3]);
    await disk.writeZeroes(512, 512);
    await disk.read(511, got);
    expect(Array.from(got)).toEqual([0, 0, 0, 0]);
  });

  it('rejects sizes that are not whole sectors and accesses past the end', async () => {
    expect(() => new MemoryBlockBackend(1000)).toThrow(/multiple of 512/);
    const disk = new MemoryBlockBackend(1024);
    await expect(disk.read(1000, new Uint8Array(100))).rejects.toThrow(/outside/);
  });

  it('a read-only disk refuses writes', async () => {
    const disk = new MemoryBlockBackend(1024, true);
    await expect(disk.write(0, Uint8Array.of(1))).rejects.toThrow(/read-only/);
    expect(disk.data[0]).toBe(0);
  });
});
