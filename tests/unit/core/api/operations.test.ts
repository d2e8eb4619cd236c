import { describe, expect, it } from 'vitest';
import { eventSchema, parseCommand, resultSchemas } from '../../../../core/api/index.js';

describe('long operations in the API contract', () => {
  it('vm.create takes a template and a client-chosen operation id; operation.cancel names it', () => {
    const create = parseCommand({ type: 'vm.create', config: { name: 'linux' }, template: 'linux-busybox', operationId: 'wizard-abc_1' });
    expect(create.ok).toBe(true);
    expect(parseCommand({ type: 'operation.cancel', operationId: 'wizard-abc_1' })).toEqual({
      ok: true,
      command: { type: 'operation.cancel', operationId: 'wizard-abc_1' },
    });
  });

  it('refuses operation ids that are empty, too long or not plain characters', () => {
    for (const operationId of ['', 'a b', '../x', 'x'.repeat(65), 7]) {
      const parsed = parseCommand({ type: 'operation.cancel', operationId });
      expect(parsed.ok, String(operationId)).toBe(false);
      if (!parsed.ok) expect(parsed.message).toContain('invalid operation.cancel command');
    }
    expect(parseCommand({ type: 'operation.cancel' }).ok).toBe(false);
    expect(parseCommand({ type: 'operation.cancel', operationId: 'x', extra: 1 }).ok).toBe(false);
  });

  it('vm.delete takes keepDisks and answers where the disks went', () => {
    expect(parseCommand({ type: 'vm.delete', id: 'lx', keepDisks: true }).ok).toBe(true);
    expect(parseCommand({ type: 'vm.delete', id: 'lx', keepDisks: 'yes' }).ok).toBe(false);
    expect(resultSchemas['vm.delete'].parse({ id: 'lx', keptDisks: '/data/kept-disks/lx-2026-01-01T00-00-00Z' }).keptDisks).toContain('kept-disks');
    expect(resultSchemas['vm.delete'].parse({ id: 'lx' })).toEqual({ id: 'lx' });
  });

  it('operation.progress events carry the id, what is done and the byte counts', () => {
    const event = { type: 'operation.progress', operationId: 'op-1', what: 'copying root.ext4', doneBytes: 4194304, totalBytes: 134217728 };
    expect(eventSchema.parse(event)).toEqual(event);
    expect(eventSchema.safeParse({ ...event, doneBytes: -1 }).success).toBe(false);
  });
});
