import { describe, expect, it } from 'vitest';
import { ApiError } from '../../../../core/api/index.js';
import { Operations, type OperationProgress } from '../../../../core/hypervisor/operations.js';

function operations() {
  let now = 0;
  const events: { id: string; progress: OperationProgress }[] = [];
  const ops = new Operations(
    () => now,
    (id, progress) => events.push({ id, progress }),
  );
  return { ops, events, advance: (ms: number) => (now += ms) };
}

describe('long operations', () => {
  it('step progress goes out every time, with zero byte counts and the step fields', () => {
    const { ops, events } = operations();
    const op = ops.begin('build-1');
    op.stepProgress('check build tools and sources', 1, 12);
    op.stepProgress('build kernel Image', 5, 12, 'CC fs/ext4/inode.o (12 min so far)');
    op.stepProgress('build kernel Image', 5, 12, 'CC fs/ext4/super.o (12 min so far)');
    expect(events).toEqual([
      { id: 'build-1', progress: { what: 'check build tools and sources', doneBytes: 0, totalBytes: 0, step: 1, steps: 12 } },
      { id: 'build-1', progress: { what: 'build kernel Image', doneBytes: 0, totalBytes: 0, step: 5, steps: 12, detail: 'CC fs/ext4/inode.o (12 min so far)' } },
      { id: 'build-1', progress: { what: 'build kernel Image', doneBytes: 0, totalBytes: 0, step: 5, steps: 12, detail: 'CC fs/ext4/super.o (12 min so far)' } },
    ]);
  });

  it('byte progress is still throttled, the first and the last always going out', () => {
    const { ops, events, advance } = operations();
    const op = ops.begin('copy');
    op.progress('copying root.ext4', 0, 100);
    op.progress('copying root.ext4', 10, 100);
    advance(150);
    op.progress('copying root.ext4', 20, 100);
    op.progress('copying root.ext4', 100, 100);
    expect(events.map((e) => e.progress.doneBytes)).toEqual([0, 20, 100]);
    expect(events[0].progress).toEqual({ what: 'copying root.ext4', doneBytes: 0, totalBytes: 100 });
  });

  it('cancel calls the operation\'s cancel hooks once, and a hook added after the cancel runs at once', () => {
    const { ops } = operations();
    const op = ops.begin('build-2');
    const calls: string[] = [];
    op.onCancel(() => calls.push('first'));
    expect(op.cancelled).toBe(false);
    expect(ops.cancel('build-2')).toBe(true);
    expect(ops.cancel('build-2')).toBe(true);
    expect(op.cancelled).toBe(true);
    op.onCancel(() => calls.push('late'));
    expect(calls).toEqual(['first', 'late']);
  });

  it('an id is taken while its operation runs and free again after end; unknown ids cancel nothing', () => {
    const { ops } = operations();
    const op = ops.begin('same');
    expect(ops.ids()).toEqual(['same']);
    expect(() => ops.begin('same')).toThrow(ApiError);
    ops.end(op);
    expect(ops.ids()).toEqual([]);
    expect(ops.cancel('same')).toBe(false);
    ops.end(ops.begin('same'));
  });
});
