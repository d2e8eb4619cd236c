import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openRawImage } from '../../../../../core/platform/node/block-file.js';
import { DiskImageError } from '../../../../../core/storage/block-backend.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'riscstation-disk-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function image(name: string, bytes: number): string {
  const path = join(dir, name);
  writeFileSync(path, new Uint8Array(0));
  truncateSync(path, bytes);
  return path;
}

describe('raw image files', () => {
  it('writes, flushes (fsync) and reads back; the bytes are in the file', async () => {
    const path = image('disk.raw', 64 * 1024);
    const disk = await openRawImage(path);
    expect(disk.size).toBe(64 * 1024);
    await disk.write(1024, new TextEncoder().encode('persisted'));
    await disk.flush();
    const back = new Uint8Array(9);
    await disk.read(1024, back);
    expect(new TextDecoder().decode(back)).toBe('persisted');
    await disk.close();
    expect(readFileSync(path).subarray(1024, 1033).toString()).toBe('persisted');
  });

  it('write-zeroes clears bytes in the file', async () => {
    const path = image('disk.raw', 8192);
    writeFileSync(path, new Uint8Array(8192).fill(0xff));
    const disk = await openRawImage(path);
    await disk.writeZeroes(512, 1024);
    await disk.close();
    const data = readFileSync(path);
    expect(data[511]).toBe(0xff);
    expect(data.subarray(512, 1536).every((b) => b === 0)).toBe(true);
    expect(data[1536]).toBe(0xff);
  });

  it('refuses a missing image', async () => {
    await expect(openRawImage(join(dir, 'nope.raw'))).rejects.toThrow(/nope\.raw does not exist/);
  });

  it('refuses a truncated image (not whole sectors, empty, or shorter than expected)', async () => {
    await expect(openRawImage(image('odd.raw', 1000))).rejects.toThrow(/not a whole number of 512-byte sectors/);
    await expect(openRawImage(image('empty.raw', 0))).rejects.toThrow(/empty/);
    await expect(openRawImage(image('short.raw', 4096), { expectedSize: 8192 })).rejects.toThrow(/truncated: 4096 bytes, the VM expects 8192/);
  });

  it('refuses an image another VM holds, and allows it again after close', async () => {
    const path = image('disk.raw', 4096);
    const first = await openRawImage(path);
    const err = await openRawImage(path).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DiskImageError);
    expect((err as Error).message).toMatch(/in use by another running VM/);
    await first.close();
    expect(existsSync(`${path}.lock`)).toBe(false);
    const again = await openRawImage(path, { readOnly: true });
    expect(again.readOnly).toBe(true);
    await expect(again.write(0, Uint8Array.of(1))).rejects.toThrow(/read-only/);
    await again.close();
  });

  it('refuses an image locked by another live process, and takes over a stale lock', async () => {
    const path = image('disk.raw', 4096);
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
    try {
      writeFileSync(`${path}.lock`, `${child.pid}\n`);
      await expect(openRawImage(path)).rejects.toThrow(new RegExp(`pid ${child.pid}`));
    } finally {
      child.kill();
    }
    await new Promise((r) => child.once('exit', r));
    const disk = await openRawImage(path); // the holder is gone: its lock is stale
    await disk.close();
  });
});
