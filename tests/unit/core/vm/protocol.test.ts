import { describe, expect, it } from 'vitest';
import { parseVmMessage } from '../../../../core/vm/protocol.js';

describe('VM process messages', () => {
  it('accepts each well-formed message', () => {
    const good = [
      { type: 'booted', harts: 4, scheduler: 'threaded' },
      { type: 'paused' },
      { type: 'output', stream: 'serial', data: new Uint8Array([104, 105]) },
      { type: 'output', stream: 'hvc0', data: new Uint8Array([104, 105]) },
      { type: 'stats', requestId: 3, counters: { retired: 10, cpuMicros: 5, rssBytes: 1, uptimeMs: 2 } },
      { type: 'stopped', stop: { kind: 'poweroff', code: 0, failed: false } },
      { type: 'stopped', stop: { kind: 'hang', reason: 'wfi with interrupts off' } },
      { type: 'fatal', message: 'm', detail: 'd' },
      { type: 'log', line: 'x' },
    ];
    for (const m of good) expect(parseVmMessage(m)).toBe(m);
  });

  it('rejects unknown types, missing fields and wrong field types', () => {
    for (const m of [
      null,
      'booted',
      { type: 'nope' },
      { type: 'toString' },
      { type: 'booted' },
      { type: 'output', stream: 'serial', data: 'hi' },
      { type: 'output', data: new Uint8Array(1) },
      { type: 'output', stream: 'serial0', data: new Uint8Array(1) },
      { type: 'stats', requestId: 1, counters: { retired: 'many' } },
      { type: 'stopped', stop: { kind: 'poweroff', code: 0 } },
    ]) {
      expect(parseVmMessage(m)).toBeNull();
    }
  });
});
