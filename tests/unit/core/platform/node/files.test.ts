import { mkdirSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { nodeLibraryFiles, writeFileAtomic } from '../../../../../core/platform/node/files.js';

describe('atomic file writes', () => {
  it('replaces the content and leaves no temporary file behind', () => {
    const d = mkdtempSync(join(tmpdir(), 'rs-files-'));
    const p = join(d, 'vm.json');
    writeFileSync(p, 'old');
    writeFileAtomic(p, 'new content');
    expect(readFileSync(p, 'utf8')).toBe('new content');
    expect(readdirSync(d)).toEqual(['vm.json']);
  });

  it('leaves what was there and no temporary file when the final rename fails', () => {
    const d = mkdtempSync(join(tmpdir(), 'rs-files-'));
    const target = join(d, 'vm.json');
    mkdirSync(target);
    writeFileSync(join(target, 'keep'), 'old');
    expect(() => writeFileAtomic(target, 'new')).toThrow();
    expect(readFileSync(join(target, 'keep'), 'utf8')).toBe('old');
    expect(readdirSync(d)).toEqual(['vm.json']);
  });

  it('creates files readable only by the user when asked', () => {
    const d = mkdtempSync(join(tmpdir(), 'rs-files-'));
    const p = join(d, 'host.json');
    writeFileAtomic(p, '{}', 0o600);
    expect(statSync(p).mode & 0o777).toBe(0o600);
  });

  it('reports missing paths as null and lists a missing folder as empty', () => {
    const d = mkdtempSync(join(tmpdir(), 'rs-files-'));
    expect(nodeLibraryFiles.stat(join(d, 'nope'))).toBeNull();
    expect(nodeLibraryFiles.list(join(d, 'nope'))).toEqual([]);
    writeFileSync(join(d, 'f'), 'abc');
    expect(nodeLibraryFiles.stat(join(d, 'f'))).toEqual({ kind: 'file', size: 3 });
    expect(Array.from(nodeLibraryFiles.readHead(join(d, 'f'), 64))).toEqual([97, 98, 99]);
  });
});
