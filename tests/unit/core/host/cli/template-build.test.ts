import { describe, expect, it } from 'vitest';
import { buildProgressLine } from '../../../../../core/host/cli/commands/template.js';

describe('riscstation template build progress lines', () => {
  it('shows step k of n, the step and what it is doing now', () => {
    expect(
      buildProgressLine({ type: 'operation.progress', operationId: 'b', what: 'build kernel Image', doneBytes: 0, totalBytes: 0, step: 5, steps: 12, detail: 'CC fs/ext4/inode.o (12 min so far)' }),
    ).toBe('[5/12] build kernel Image: CC fs/ext4/inode.o (12 min so far)');
    expect(buildProgressLine({ type: 'operation.progress', operationId: 'b', what: 'check build tools and sources', doneBytes: 0, totalBytes: 0, step: 1, steps: 12 })).toBe(
      '[1/12] check build tools and sources',
    );
  });
});
