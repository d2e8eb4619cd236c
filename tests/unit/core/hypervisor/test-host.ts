/**
 * A hypervisor over a temp data folder with the real VM runtime in this thread (in-memory
 * launcher): the host side's logic without OS processes (tests/integration covers those).
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Hypervisor, type HypervisorOptions } from '../../../../core/hypervisor/hypervisor.js';
import { nodeHostPlatform } from '../../../../core/platform/node/host-setup.js';
import { createInMemoryLauncher } from '../../../../core/vm/process-in-memory.js';
import { runVmProcess } from '../../../../core/vm/process-runtime.js';
import type { VmProcessEnv } from '../../../../core/vm/process.js';
import type { ApiEvent } from '../../../../core/api/index.js';

export const TEMPLATES_DIR = new URL('../../../../resources/templates', import.meta.url).pathname;

export const inMemoryEnv: VmProcessEnv = {
  readFile: (path) => new Uint8Array(readFileSync(path)),
  now: () => performance.now(),
  after(ms, fn) {
    if (ms <= 0) {
      const h = setImmediate(fn);
      return () => clearImmediate(h);
    }
    const h = setTimeout(fn, ms);
    return () => clearTimeout(h);
  },
  cpuMicros: () => {
    const u = process.cpuUsage();
    return u.user + u.system;
  },
  rssBytes: () => process.memoryUsage.rss(),
  exit: () => {},
};

export function tempHost(options: Partial<HypervisorOptions> = {}) {
  const dataDir = mkdtempSync(join(tmpdir(), 'rs-hv-'));
  const launcher = createInMemoryLauncher(runVmProcess, inMemoryEnv);
  const hv = new Hypervisor(nodeHostPlatform(launcher), {
    dataDir,
    templatesDir: TEMPLATES_DIR,
    defaultFirmware: [],
    stopTimeoutMs: 300,
    ...options,
  });
  const events: ApiEvent[] = [];
  hv.subscribe((e) => events.push(e));
  return { hv, dataDir, launcher, events };
}

/** Resolves when `predicate` holds for the VM's console text (polled on output). */
export function waitForConsole(hv: Hypervisor, id: string, pattern: string | RegExp, timeoutMs = 30_000): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = new TextDecoder().decode(hv.consoleAttach(id));
    const matches = () => (typeof pattern === 'string' ? text.includes(pattern) : pattern.test(text));
    if (matches()) return resolve(text);
    const timer = setTimeout(() => {
      stop();
      reject(new Error(`no ${pattern} on the console within ${timeoutMs} ms; got: ${JSON.stringify(text.slice(-500))}`));
    }, timeoutMs);
    const stop = hv.consoleListen(id, (bytes) => {
      text += new TextDecoder().decode(bytes);
      if (matches()) {
        clearTimeout(timer);
        stop();
        resolve(text);
      }
    });
  });
}
