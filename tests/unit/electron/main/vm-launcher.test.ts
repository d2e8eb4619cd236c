import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { UtilityProcessModule } from '../../../../electron/main/vm-launcher.js';
import { ElectronVmLauncher, electronVmProcessEntry } from '../../../../electron/main/vm-launcher.js';
import type { VmProcessExit } from '../../../../core/vm/process.js';
import { FakeMessageChannelMain, FakeUtilityProcess, fakeUtilityProcess } from '../fake-electron.js';

const dir = mkdtempSync(join(tmpdir(), 'rs-electron-launcher-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function launcher(killPid = vi.fn()) {
  return {
    killPid,
    launcher: new ElectronVmLauncher({
      utilityProcess: fakeUtilityProcess as unknown as UtilityProcessModule,
      entry: '/app/dist/electron/vm-process.js',
      killPid,
    }),
  };
}

function lastFork() {
  const fork = FakeUtilityProcess.forks.at(-1);
  if (!fork) throw new Error('nothing forked');
  return fork;
}

describe('ElectronVmLauncher', () => {
  beforeEach(() => {
    FakeUtilityProcess.forks.length = 0;
  });

  it('forks the VM-process entry as a utility process named after the VM, stderr piped, VM id in the environment', () => {
    const { launcher: l } = launcher();
    const handle = l.launch({ vmId: 'alpha', stderrLog: join(dir, 'alpha.log') });
    const fork = lastFork();
    expect(fork.modulePath).toBe('/app/dist/electron/vm-process.js');
    expect(fork.args).toEqual(['--vm', 'alpha']);
    expect(fork.options).toMatchObject({ serviceName: 'riscstation-vm alpha', stdio: ['ignore', 'ignore', 'pipe'] });
    expect((fork.options.env as Record<string, string>).RISCSTATION_VM_ID).toBe('alpha');
    expect(handle.pid).toBe(fork.child.pid);
    expect(l.processOf('alpha')).toBe(handle);
  });

  it("writes the child's stderr to the VM's process log (owner-only), closed when stderr ends", async () => {
    const { launcher: l } = launcher();
    const log = join(dir, 'stderr.log');
    l.launch({ vmId: 'beta', stderrLog: log });
    const { child } = lastFork();
    child.stderr.emit('data', 'uncaught exception: boom\n');
    child.exit(70);
    await vi.waitFor(() => expect(readFileSync(log, 'utf8')).toBe('uncaught exception: boom\n'));
    expect(statSync(log).mode & 0o777).toBe(0o600);
  });

  it('inherits stderr when there is no log', () => {
    launcher().launcher.launch({ vmId: 'gamma', stderrLog: null });
    expect(lastFork().options.stdio).toEqual(['ignore', 'ignore', 'inherit']);
  });

  it('posts host messages to the child and hands its messages to the host as they are', () => {
    const { launcher: l } = launcher();
    const handle = l.launch({ vmId: 'delta', stderrLog: null });
    const { child } = lastFork();
    handle.send({ type: 'pause' });
    expect(child.posted).toEqual([[{ type: 'pause' }, []]]);
    const received: unknown[] = [];
    const stop = handle.onMessage((m) => received.push(m));
    const output = { type: 'output', stream: 'serial', data: new Uint8Array([104, 105]) };
    child.emit('message', output);
    stop();
    child.emit('message', { type: 'paused' });
    expect(received).toEqual([output]);
  });

  it('reports an exit by itself with its code, once, also to late listeners; sends after it are dropped', async () => {
    const { launcher: l } = launcher();
    const handle = l.launch({ vmId: 'eps', stderrLog: null });
    const { child } = lastFork();
    const exits: VmProcessExit[] = [];
    handle.onExit((e) => exits.push(e));
    child.exit(3);
    child.exit(4);
    expect(exits).toEqual([{ code: 3, signal: null }]);
    const late = await new Promise<VmProcessExit>((resolve) => handle.onExit(resolve));
    expect(late).toEqual({ code: 3, signal: null });
    handle.send({ type: 'resume' });
    expect(child.posted).toEqual([]);
    expect(handle.pid).toBeNull();
    expect(l.processOf('eps')).toBeNull();
  });

  it('kill() sends SIGKILL to the pid (not utilityProcess.kill, which is SIGTERM) and reports the exit as SIGKILL', () => {
    const { launcher: l, killPid } = launcher();
    const handle = l.launch({ vmId: 'zeta', stderrLog: null });
    const { child } = lastFork();
    const pid = child.pid;
    const exits: VmProcessExit[] = [];
    handle.onExit((e) => exits.push(e));
    handle.kill();
    expect(killPid).toHaveBeenCalledWith(pid);
    expect(child.killCalls).toBe(0);
    child.exit(0); // Electron reports 0 or the raw status; the host asked for the kill
    expect(exits).toEqual([{ code: null, signal: 'SIGKILL' }]);
  });

  it('falls back to utilityProcess.kill when the pid cannot be signalled', () => {
    const { launcher: l } = launcher(
      vi.fn(() => {
        throw new Error('ESRCH');
      }),
    );
    l.launch({ vmId: 'eta', stderrLog: null }).kill();
    expect(lastFork().child.killCalls).toBe(1);
  });

  it('hands a console port to the live process with its stream, and refuses once it has exited', () => {
    const { launcher: l } = launcher();
    const handle = l.launch({ vmId: 'theta', stderrLog: null });
    const { child } = lastFork();
    const { port1 } = new FakeMessageChannelMain();
    expect(handle.attachConsole('hvc0', port1 as never)).toBe(true);
    expect(child.posted).toEqual([[{ type: 'consoleAttach', stream: 'hvc0' }, [port1]]]);
    child.exit(0);
    expect(handle.attachConsole('serial', port1 as never)).toBe(false);
  });

  it('a restarted VM is found by its new process', () => {
    const { launcher: l } = launcher();
    const first = l.launch({ vmId: 'iota', stderrLog: null });
    const firstChild = lastFork().child;
    const second = l.launch({ vmId: 'iota', stderrLog: null });
    firstChild.exit(0); // the old process's late exit does not forget the new one
    expect(first).not.toBe(second);
    expect(l.processOf('iota')).toBe(second);
  });

  it.skipIf(!existsSync(new URL('../../../../dist/electron/vm-process.js', import.meta.url)))(
    'finds the built entry in dist/electron when running from sources',
    () => {
      expect(electronVmProcessEntry()).toMatch(/[/\\]dist[/\\]electron[/\\]vm-process\.js$/);
    },
  );
});
