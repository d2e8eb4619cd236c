/**
 * The VM commands as a user types them: the built CLI (npm run build:core first) against a host
 * it starts in the background, on a temp data folder. Each refusal gives a clear message and
 * leaves the library on disk exactly as it was.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildHypervisorGuest, gcc } from './hypervisor-guests.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const cli = join(root, 'dist', 'core', 'host', 'cli', 'main.js');
const built = existsSync(cli) && existsSync(join(root, 'dist', 'core', 'host', 'cli', 'commands', 'vm.js'));
if (!built) console.warn(`[skip] ${cli} (with the vm command) is missing: run npm run build:core`);

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Files that describe the library (logs and the host's own files excluded), with contents. */
function library(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) {
        if (name !== 'logs') walk(p);
      } else if (!['host.log', 'host.json', 'host.lock'].includes(name)) out[p] = readFileSync(p, 'utf8');
    }
  };
  walk(dir);
  return out;
}

describe.skipIf(!built || !gcc.available)('riscstation vm / host / template (the built CLI)', { timeout: 240_000 }, () => {
  let home: string;
  let elf: string;
  // Admission limit: a share of host memory that comes to about 1 GiB on any host.
  const limitPercent = String((1024 * 1024 * 1024 * 100) / totalmem());
  const env = () => ({ ...process.env, RISCSTATION_HOME: home, RISCSTATION_MEMORY_LIMIT_PERCENT: limitPercent });
  const rs = (...args: string[]): Run => {
    const r = spawnSync(process.execPath, [cli, ...args], { env: env(), encoding: 'utf8', timeout: 60_000 });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  };

  beforeAll(() => {
    home = mkdtempSync(join(tmpdir(), 'rs-cli-'));
    elf = buildHypervisorGuest('idle-echo');
  });

  afterAll(() => {
    if (home) rs('host', 'stop');
  });

  it('says how to start a host when none runs', () => {
    const r = rs('vm', 'list');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`no RiscStation host is running for ${home}: start one with 'riscstation serve'`);
  });

  it('vm start without a host starts one in the background; the library and VM work through it', () => {
    expect(rs('vm', 'start', 'nothing-yet').stderr).toMatch(/started a RiscStation host in the background \(pid \d+\)/);
    const hostFile = join(home, 'host.json');
    expect(statSync(hostFile).mode & 0o777).toBe(0o600);

    const create = rs('vm', 'create', 'echo', '--template', 'bare-metal', '--kernel', elf, '--mem', '32M');
    expect(create.stderr).toBe('');
    expect(create.stdout).toBe("created VM 'echo' (id echo): 1 hart(s), 32 MiB\n");
    expect(rs('vm', 'start', 'echo').stdout).toBe('VM echo is running\n');
    const shown = JSON.parse(rs('vm', 'show', 'echo', '--json').stdout);
    expect(shown.state).toBe('running');
    expect(shown.pid).toBeGreaterThan(0);
    expect(shown.crashReason).toBeNull();
    const stats = JSON.parse(rs('vm', 'stats', 'echo', '--json').stdout);
    expect(stats).toMatchObject({ id: 'echo', state: 'running', harts: 1, pid: shown.pid });
    const templates = JSON.parse(rs('template', 'list', '--json').stdout);
    expect(templates.map((t: { id: string }) => t.id)).toEqual(['bare-metal', 'linux-busybox', 'opensbi-uboot']);
    const status = JSON.parse(rs('host', 'status', '--json').stdout);
    expect(status.vms).toEqual({ total: 1, running: 1 });
    expect(status.memory.runningMiB).toBe(32);
  });

  it('vm console shows the scrollback and passes input to the guest', async () => {
    const child = spawn(process.execPath, [cli, 'vm', 'console', 'echo'], { env: env(), stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.setEncoding('latin1').on('data', (s: string) => (out += s));
    const until = (text: string) =>
      new Promise<void>((resolve, reject) => {
        const t = setInterval(() => {
          if (out.includes(text)) {
            clearInterval(t);
            resolve();
          }
        }, 50);
        setTimeout(() => {
          clearInterval(t);
          reject(new Error(`no ${JSON.stringify(text)} in ${JSON.stringify(out)}`));
        }, 20_000);
      });
    await until('idle-echo ready');
    child.stdin.write('typed\r');
    await until('typed\r\n');
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  });

  it('vm console --stream picks the console; an unknown one is refused with the choices', () => {
    const r = rs('vm', 'console', 'echo', '--stream', 'ttyS9');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--stream is one of serial, hvc0, not 'ttyS9'");
  });

  it('a second host on the same library is refused with the holder’s pid, changing nothing', () => {
    const before = library(home);
    const holder = JSON.parse(readFileSync(join(home, 'host.json'), 'utf8')).pid;
    const r = spawnSync(process.execPath, [cli, 'serve'], { env: env(), encoding: 'utf8', timeout: 30_000 });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`is in use by another RiscStation host (pid ${holder})`);
    expect(library(home)).toEqual(before);
    expect(readFileSync(join(home, 'host.lock'), 'utf8').trim()).toBe(String(holder));
  });

  it('a hand-corrupted vm.json shows as an error for that VM in vm list while the others work', () => {
    mkdirSync(join(home, 'vms', 'mangled'));
    writeFileSync(join(home, 'vms', 'mangled', 'vm.json'), '{"formatVersion": 1, "id": "mangled", "config": ');
    const before = library(home);
    const list = rs('vm', 'list');
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/^echo\s+echo\s+running\s+1\s+32 MiB$/m);
    expect(list.stdout).toMatch(/^mangled\s+-\s+error\s+-\s+.*vms\/mangled\/vm\.json is not valid JSON/m);
    const json = JSON.parse(rs('vm', 'list', '--json').stdout);
    expect(json.find((v: { id: string }) => v.id === 'mangled').error).toContain('is not valid JSON');
    expect(rs('vm', 'start', 'mangled').stderr).toContain('vm.json is not valid JSON');
    expect(library(home)).toEqual(before);
    expect(rs('vm', 'delete', 'mangled').code).toBe(0);
  });

  it('a missing firmware file is refused at create, naming the file, and nothing is written', () => {
    const before = library(home);
    const r = rs('vm', 'create', 'nofw', '--bios', '/nonexistent/fw_jump.bin', '--kernel', elf);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('riscstation vm create: the firmware /nonexistent/fw_jump.bin does not exist\n');
    expect(library(home)).toEqual(before);
  });

  it('a VM asking for more RAM than the host allows is refused at start with the numbers, and nothing changes', () => {
    expect(rs('vm', 'create', 'huge', '--template', 'bare-metal', '--kernel', elf, '--mem', '2G').code).toBe(0);
    const before = library(home);
    const r = rs('vm', 'start', 'huge');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/cannot start 'huge': it needs 2048 MiB of RAM and the 1 running VM\(s\) already use 32 MiB; the limit is 102[34] MiB \([\d.]+% of \d+ MiB host memory\)/);
    expect(library(home)).toEqual(before);
  });

  it('refuses illegal transitions with a reason', () => {
    const r = rs('vm', 'resume', 'echo');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("VM 'echo' is running: cannot resume it (it already is running)");
    const d = rs('vm', 'delete', 'echo');
    expect(d.stderr).toContain("VM 'echo' is running: cannot delete it; stop it first");
  });

  it('ctrl-alt-del says when no guest driver listens to the keyboard (a bare-metal program)', () => {
    const r = rs('vm', 'ctrl-alt-del', 'echo');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('no guest driver listens to its keyboard');
  });

  it('host stop powers the VMs off and stops the host', () => {
    const pid = JSON.parse(readFileSync(join(home, 'host.json'), 'utf8')).pid;
    const r = rs('host', 'stop');
    expect(r.stdout).toContain(`stopping the RiscStation host (pid ${pid})`);
    expect(r.stdout).toContain('stopped');
    expect(existsSync(join(home, 'host.json'))).toBe(false);
    expect(existsSync(join(home, 'host.lock'))).toBe(false);
    expect(JSON.parse(readFileSync(join(home, 'vms', 'echo', 'state.json'), 'utf8')).state).toBe('stopped');
  });
});
