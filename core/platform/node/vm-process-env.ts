/**
 * The VM runtime's environment on Node (core/vm/process.ts `VmProcessEnv`): files, timers, CPU and
 * memory counters, raw disk images, and a worker_thread per hart. Shared by the forked VM process
 * (vm-process-main.ts) and Electron's utilityProcess entry (electron/vm-process.ts), which differ
 * only in how messages travel.
 */
import { webcrypto } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import type { VmProcessEnv } from '../../vm/process.js';
import { openRawImage } from './block-file.js';

/** The hart thread entry (dist/core/platform/node/hart-thread-main.js). */
export const HART_THREAD_ENTRY = new URL('./hart-thread-main.js', import.meta.url);

/**
 * `exit` ends the process once `pendingSends()` is 0 (so the last messages reach the host), or
 * after 2 s at the latest. Harts run on threads unless RISCSTATION_SCHEDULER=inline or the
 * hart thread entry is missing (running from sources).
 */
export function nodeVmProcessEnv(pendingSends: () => number, onDrained: (fn: () => void) => void): VmProcessEnv {
  const threads = process.env.RISCSTATION_SCHEDULER !== 'inline' && existsSync(HART_THREAD_ENTRY);
  return {
    ...(threads
      ? {
          startHartThread(init, onError) {
            const worker = new Worker(HART_THREAD_ENTRY, { workerData: init, name: `hart ${init.hartId}` });
            worker.on('error', (error) => onError(error));
            worker.on('exit', (code) => {
              if (code !== 0) onError(new Error(`hart ${init.hartId} thread exited with code ${code}`));
            });
            return { terminate: () => void worker.terminate() };
          },
        }
      : {}),
    wallMs: () => performance.timeOrigin + performance.now(),
    openDisk: (path, readOnly) => openRawImage(path, { readOnly }),
    readFile: (path) => new Uint8Array(readFileSync(path)),
    epochNs: () => BigInt(Date.now()) * 1_000_000n,
    random: (bytes) => void webcrypto.getRandomValues(bytes),
    now: () => performance.now(),
    after(ms, fn) {
      if (ms <= 0) {
        const handle = setImmediate(fn);
        return () => clearImmediate(handle);
      }
      const handle = setTimeout(fn, ms);
      return () => clearTimeout(handle);
    },
    cpuMicros() {
      const usage = process.cpuUsage();
      return usage.user + usage.system;
    },
    rssBytes: () => process.memoryUsage.rss(),
    exit(code) {
      if (pendingSends() === 0) process.exit(code);
      onDrained(() => process.exit(code));
      setTimeout(() => process.exit(code), 2000).unref();
    },
  };
}
