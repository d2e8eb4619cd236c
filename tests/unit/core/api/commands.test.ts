import { describe, expect, it } from 'vitest';
import { parseCommand, vmConfigPatchSchema, vmConfigSchema, vmIdSchema } from '../../../../core/api/index.js';

describe('parseCommand', () => {
  it('accepts a known command and fills defaults', () => {
    const parsed = parseCommand({ type: 'console.attach', vmId: 'alpine' });
    expect(parsed).toEqual({ ok: true, command: { type: 'console.attach', vmId: 'alpine', console: 'serial' } });
  });

  it('names the known commands when the type is unknown', () => {
    const parsed = parseCommand({ type: 'vm.explode' });
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.message).toMatch(/unknown command type 'vm.explode'; known: host.info, /);
    expect(!parsed.ok && parsed.message).toContain('vm.list');
  });

  it('refuses non-objects and missing types with an example of the right shape', () => {
    for (const input of [null, 42, 'host.info', [], {}]) {
      const parsed = parseCommand(input);
      expect(parsed.ok).toBe(false);
    }
    const parsed = parseCommand('host.info');
    expect(!parsed.ok && parsed.message).toContain('{"type":"host.info"}');
  });

  it('refuses unknown fields instead of ignoring them', () => {
    const parsed = parseCommand({ type: 'host.info', verbose: true });
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.message).toContain('verbose');
  });

  it('refuses VM ids that are not safe folder names', () => {
    for (const id of ['../etc', 'A', '', 'a/b', 'x'.repeat(64)]) expect(vmIdSchema.safeParse(id).success).toBe(false);
    for (const id of ['a', 'alpine-3', '0']) expect(vmIdSchema.safeParse(id).success).toBe(true);
  });
});

describe('vmConfigSchema', () => {
  it('needs only a name; the rest takes defaults', () => {
    expect(vmConfigSchema.parse({ name: ' Alpine ' })).toEqual({
      name: 'Alpine',
      notes: '',
      harts: 1,
      memoryMiB: 256,
      firmware: { kind: 'default' },
      kernel: null,
      initrd: null,
      cmdline: '',
      disks: [],
      cpuCapPercent: 100,
    });
  });

  it('enforces the bounds: harts 1..8, memory 16..2048 MiB, cap 1..100 %', () => {
    const ok = (patch: object) => vmConfigSchema.safeParse({ name: 'x', ...patch }).success;
    expect([ok({ harts: 1 }), ok({ harts: 8 }), ok({ harts: 0 }), ok({ harts: 9 }), ok({ harts: 1.5 })]).toEqual([true, true, false, false, false]);
    expect([ok({ memoryMiB: 16 }), ok({ memoryMiB: 2048 }), ok({ memoryMiB: 15 }), ok({ memoryMiB: 2049 })]).toEqual([true, true, false, false]);
    expect([ok({ cpuCapPercent: 1 }), ok({ cpuCapPercent: 100 }), ok({ cpuCapPercent: 0 }), ok({ cpuCapPercent: 101 })]).toEqual([true, true, false, false]);
    expect(ok({ disks: [{ path: 'root.qcow2', format: 'qcow2' }] })).toBe(true);
    expect(ok({ disks: [{ path: 'root.vmdk', format: 'vmdk' }] })).toBe(false);
    expect(ok({ firmware: { kind: 'file', path: '/fw.bin' } })).toBe(true);
    expect(ok({ firmware: { kind: 'file' } })).toBe(false);
  });

  it('a patch changes only the fields it names (no defaults sneak in)', () => {
    expect(vmConfigPatchSchema.parse({ notes: 'hi' })).toEqual({ notes: 'hi' });
    expect(vmConfigPatchSchema.safeParse({ harts: 9 }).success).toBe(false);
  });
});
