/**
 * The VM process entry on Node (forked by NodeVmLauncher): wires IPC to the VM runtime
 * (core/vm/process-runtime.ts) with Node's environment (vm-process-env.ts). Exits when the host
 * goes away: a VM never outlives its host.
 */
import { runVmProcess } from '../../vm/process-runtime.js';
import type { HostToVm } from '../../vm/protocol.js';
import { nodeVmProcessEnv } from './vm-process-env.js';

if (!process.send) {
  process.stderr.write('riscstation: the VM process is started by the RiscStation host, not by hand\n');
  process.exit(2);
}

const vmId = process.env.RISCSTATION_VM_ID ?? '?';
process.title = `riscstation-vm ${vmId}`;

let pendingSends = 0;
let drained: (() => void) | null = null;

runVmProcess(
  {
    send(message) {
      if (!process.connected) return;
      pendingSends++;
      process.send!(message, undefined, {}, () => {
        pendingSends--;
        if (pendingSends === 0) drained?.();
      });
    },
    onMessage(listener) {
      process.on('message', (message) => listener(message as HostToVm));
    },
  },
  nodeVmProcessEnv(
    () => pendingSends,
    (fn) => (drained = fn),
  ),
);

// The host closed the channel (it exited or was killed): stop the guest with it.
process.on('disconnect', () => process.exit(0));
process.on('uncaughtException', (error) => {
  process.stderr.write(`riscstation-vm ${vmId}: uncaught exception: ${error.stack ?? error.message}\n`);
  process.exit(70);
});
