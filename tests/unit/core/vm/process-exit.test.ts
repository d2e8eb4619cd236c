import { describe, expect, it } from 'vitest';
import { ExitNotifier } from '../../../../core/vm/process-exit.js';
import type { VmProcessExit } from '../../../../core/vm/process.js';

describe('ExitNotifier', () => {
  it('tells the end once to every listener, and to one that subscribes afterwards', async () => {
    const n = new ExitNotifier();
    const heard: VmProcessExit[] = [];
    n.onExit((e) => heard.push(e));
    const stop = n.onExit(() => heard.push({ code: -1, signal: null }));
    stop();
    expect(n.ended).toBeNull();
    n.end({ code: null, signal: 'SIGKILL' });
    n.end({ code: 0, signal: null });
    expect(heard).toEqual([{ code: null, signal: 'SIGKILL' }]);
    const late = await new Promise<VmProcessExit>((resolve) => n.onExit(resolve));
    expect([late, n.ended]).toEqual([
      { code: null, signal: 'SIGKILL' },
      { code: null, signal: 'SIGKILL' },
    ]);
  });
});
