/**
 * The built VM-process entry (dist/electron/vm-process.js) as a real OS process: plain Node with a
 * `process.parentPort` made from child_process IPC stands in for Electron's utility process (the
 * same structured-clone messages), and boots a bare-metal guest on real hart threads.
 */
import { fork, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { buildHypervisorGuest, gcc } from '../../../integration/hypervisor-guests.js';

const ENTRY = fileURLToPath(new URL('../../../../dist/electron/vm-process.js', import.meta.url));
const built = existsSync(ENTRY);

/**
 * Gives the entry a `process.parentPort` over Node IPC, then loads it. Like Electron's, the port
 * queues messages until a 'message' handler is registered.
 */
const WRAPPER = `
import { EventEmitter } from 'node:events';
import { pathToFileURL } from 'node:url';
const port = new EventEmitter();
port.postMessage = (message) => process.send(message);
let queued = [];
port.on('newListener', (event) => {
  if (event !== 'message' || !queued) return;
  const held = queued;
  queued = null;
  setImmediate(() => held.forEach((data) => port.emit('message', { data, ports: [] })));
});
process.on('message', (data) => (queued ? queued.push(data) : port.emit('message', { data, ports: [] })));
process.on('disconnect', () => process.exit(0));
process.parentPort = port;
await import(pathToFileURL(process.argv[2]).href);
`;

describe.skipIf(!built)('the Electron VM-process entry, run as a process', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rs-vm-entry-'));
  const children: ChildProcess[] = [];
  afterAll(() => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses to run without a parent port (started by hand)', () => {
    const result = spawnSync(process.execPath, [ENTRY], { encoding: 'utf8' });
    expect([result.status, result.stderr]).toEqual([2, 'riscstation: the VM process is started by the RiscStation app, not by hand\n']);
  });

  it.skipIf(!gcc.available)('boots a guest on hart threads, answers console input, reports the power-off and exits 0', async () => {
    const elf = buildHypervisorGuest('idle-echo');
    const wrapper = join(dir, 'parent-port.mjs');
    writeFileSync(wrapper, WRAPPER);
    const child = fork(wrapper, [ENTRY], {
      serialization: 'advanced',
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      env: { ...process.env, RISCSTATION_VM_ID: 'echo' },
    });
    children.push(child);
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const messages: { type: string; [key: string]: unknown }[] = [];
    child.on('message', (m) => messages.push(m as (typeof messages)[number]));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const output = () =>
      messages
        .filter((m) => m.type === 'output')
        .map((m) => new TextDecoder().decode(m.data as Uint8Array))
        .join('');

    child.send({
      type: 'boot',
      spec: { vmId: 'echo', harts: 2, memoryMiB: 32, bios: null, kernel: elf, initrd: null, cmdline: '', cpuCapPercent: 100 },
    });
    await expect.poll(() => messages.find((m) => m.type === 'booted'), { timeout: 20_000 }).toEqual({ type: 'booted', harts: 2, scheduler: 'threaded' });
    await expect.poll(output, { timeout: 20_000 }).toContain('idle-echo ready');
    expect(messages.find((m) => m.type === 'output')).toMatchObject({ stream: 'serial' });
    child.send({ type: 'input', stream: 'serial', data: new TextEncoder().encode('hey\r') });
    await expect.poll(output, { timeout: 20_000 }).toContain('hey\r\n');
    child.send({ type: 'input', stream: 'serial', data: new TextEncoder().encode('Q') });
    await expect.poll(() => messages.find((m) => m.type === 'stopped'), { timeout: 20_000 }).toMatchObject({ stop: { kind: 'poweroff', failed: false } });
    child.send({ type: 'exit' });
    expect(await exited).toBe(0);
    expect(stderr).toBe('');
  }, 60_000);
});
