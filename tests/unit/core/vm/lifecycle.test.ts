import { describe, expect, it } from 'vitest';
import { ALLOWED, refusal, VmLifecycle } from '../../../../core/vm/lifecycle.js';
import { VM_STATES } from '../../../../core/api/vm-config.js';

describe('VM lifecycle', () => {
  it('walks created → starting → running ⇄ paused → stopping → stopped and reports each change', () => {
    const changes: string[] = [];
    const vm = new VmLifecycle('created', (s, p) => changes.push(`${p}->${s}`));
    for (const type of ['start', 'booted', 'pause', 'resume', 'pause', 'stop'] as const) expect(vm.apply({ type })).toBe(true);
    expect(vm.apply({ type: 'exited', reason: 'the guest powered off' })).toBe(true);
    expect(vm.state).toBe('stopped');
    expect(changes).toEqual([
      'created->starting',
      'starting->running',
      'running->paused',
      'paused->running',
      'running->paused',
      'paused->stopping',
      'stopping->stopped',
    ]);
  });

  it('keeps the crash reason until the next start', () => {
    const vm = new VmLifecycle('running');
    vm.apply({ type: 'crash', reason: 'the VM process was killed by SIGKILL unexpectedly' });
    expect(vm.state).toBe('crashed');
    expect(vm.crashReason).toContain('SIGKILL');
    vm.apply({ type: 'start' });
    expect(vm.state).toBe('starting');
    expect(vm.crashReason).toBeNull();
  });

  it('ignores events that do not apply in the current state', () => {
    const vm = new VmLifecycle('created');
    expect(vm.apply({ type: 'pause' })).toBe(false);
    expect(vm.apply({ type: 'booted' })).toBe(false);
    expect(vm.state).toBe('created');
  });

  it('refuses illegal actions with a reason that names the VM, its state and when the action is allowed', () => {
    expect(refusal('alpine', 'running', 'delete')).toBe(
      "VM 'alpine' is running: cannot delete it; stop it first (allowed when created, stopped, crashed)",
    );
    expect(refusal('alpine', 'paused', 'pause')).toContain('already is paused');
    expect(refusal('alpine', 'stopped', 'resume')).toContain('allowed when paused');
    expect(refusal('alpine', 'running', 'pause')).toBeNull();
  });

  it('allows every action in at least one state and only in known states', () => {
    for (const states of Object.values(ALLOWED)) {
      expect(states.length).toBeGreaterThan(0);
      for (const s of states) expect(VM_STATES).toContain(s);
    }
  });
});
