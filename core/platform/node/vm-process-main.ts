/**
 * The VM process entry on Node (forked by NodeVmLauncher): wires IPC, timers and process counters
 * to the VM runtime (core/vm/process-runtime.ts). Exits when the host goes away: a VM never
 * outlives its host.
 */
import { existsSync, readFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { runVmProcess } from '../../vm/process-runtime.js';
import { openRawImage } from './block-file.js';
import type { VmProcessEnv } from '../../vm/process.js';
import type { HostToVm } from '../../vm/protocol.js';

if (!process.send) {
  process.stderr.write('riscstation: the VM process is started by the RiscStation host, not by hand\n');
  process.exit(2);
}

const vmId = process.env.RISCSTATION_VM_ID ?? '?';
process.title = `riscstation-vm ${vmId}`;

let pendingSends = 0;
let exiting: number | null = null;
const exitNow = (code: number) => process.exit(code);

/** The hart thread entry beside this file (dist/); without it the harts run inline. */
const hartThreadEntry = new URL('./hart-thread-main.js', import.meta.url);
const threads = process.env.RISCSTATION_SCHEDULER !== 'inline' && existsSync(hartThreadEntry);

const env: VmProcessEnv = {
  ...(threads
    ? {
        startHartThread(init, onError) {
          const worker = new Worker(hartThreadEntry, { workerData: init, name: `hart ${init.hartId}` });
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
    exiting = code;
    if (pendingSends === 0) exitNow(code);
    else setTimeout(() => exitNow(code), 2000).unref();
  },
};

runVmProcess(
  {
    send(message) {
      if (!process.connected) return;
      pendingSends++;
      process.send!(message, undefined, {}, () => {
        pendingSends--;
        if (exiting !== null && pendingSends === 0) exitNow(exiting);
      });
    },
    onMessage(listener) {
      process.on('message', (message) => listener(message as HostToVm));
    },
  },
  env,
);

// The host closed the channel (it exited or was killed): stop the guest with it.
process.on('disconnect', () => exitNow(0));
process.on('uncaughtException', (error) => {
  process.stderr.write(`riscstation-vm ${vmId}: uncaught exception: ${error.stack ?? error.message}\n`);
  exitNow(70);
});
