import { describe, expect, it } from 'vitest';
import { eventSchema, parseCommand, resultSchemas } from '../../../../core/api/index.js';

describe('template.build in the API contract', () => {
  it('names a template and takes a client-chosen operation id', () => {
    expect(parseCommand({ type: 'template.build', id: 'linux-busybox', operationId: 'wizard-build_1' })).toEqual({
      ok: true,
      command: { type: 'template.build', id: 'linux-busybox', operationId: 'wizard-build_1' },
    });
    expect(parseCommand({ type: 'template.build', id: 'linux-busybox' }).ok).toBe(true);
    expect(parseCommand({ type: 'template.build' }).ok).toBe(false);
    expect(parseCommand({ type: 'template.build', id: 'linux-busybox', operationId: 'a b' }).ok).toBe(false);
    expect(parseCommand({ type: 'template.build', id: 'linux-busybox', force: true }).ok).toBe(false);
  });

  it('step-based progress carries step, steps and a detail line; byte-based progress is unchanged', () => {
    const step = { type: 'operation.progress', operationId: 'b1', what: 'build kernel Image', doneBytes: 0, totalBytes: 0, step: 5, steps: 12, detail: 'CC fs/ext4/inode.o (12 min so far)' };
    expect(eventSchema.parse(step)).toEqual(step);
    expect(eventSchema.safeParse({ ...step, step: 0 }).success).toBe(false);
    expect(eventSchema.safeParse({ ...step, steps: 1.5 }).success).toBe(false);
    const bytes = { type: 'operation.progress', operationId: 'c1', what: 'copying root.ext4', doneBytes: 1, totalBytes: 2 };
    expect(eventSchema.parse(bytes)).toEqual(bytes);
  });

  it('answers with the template as it is after the build', () => {
    const template = { id: 'linux-busybox', name: 'Linux (busybox)', description: 'd', config: {}, needs: [], missing: [] };
    expect(resultSchemas['template.build'].parse({ id: 'linux-busybox', upToDate: true, dir: '/c/1c5d', template })).toEqual({
      id: 'linux-busybox',
      upToDate: true,
      dir: '/c/1c5d',
      template,
    });
  });
});
