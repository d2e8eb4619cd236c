/**
 * The VM process entry in the desktop app: Electron main starts it with `utilityProcess.fork`
 * (electron/main/vm-launcher.ts). The same runtime and Node environment as the forked VM process
 * of `riscstation serve` (core/platform/node/vm-process-main.ts); only the channel differs:
 * `process.parentPort` (structured clone, MessagePorts transferable) instead of child_process IPC,
 * and console streams go to windows over ports (vm-process/parent-port.ts).
 */
import { nodeVmProcessEnv } from '../core/platform/node/vm-process-env.js';
import { runVmProcess } from '../core/vm/process-runtime.js';
import { adaptParentPort, type ParentPortLike } from './vm-process/parent-port.js';

/**
 * parentPort.postMessage has no completion callback: a process that exits right after posting
 * could lose its last messages (the guest's final output, `stopped`), so exit waits this long.
 */
const EXIT_GRACE_MS = 50;

const parent = (process as unknown as { parentPort?: ParentPortLike | null }).parentPort;
if (!parent) {
  process.stderr.write('riscstation: the VM process is started by the RiscStation app, not by hand\n');
  process.exit(2);
}

const vmId = process.env.RISCSTATION_VM_ID ?? '?';
process.title = `riscstation-vm ${vmId}`;

const { port, consoles } = adaptParentPort(parent);
runVmProcess(
  port,
  nodeVmProcessEnv(
    () => 1, // always "pending": exit goes through the grace period below
    (exit) =>
      setTimeout(() => {
        consoles.closeAll();
        exit();
      }, EXIT_GRACE_MS),
  ),
);

process.on('uncaughtException', (error) => {
  process.stderr.write(`riscstation-vm ${vmId}: uncaught exception: ${error.stack ?? error.message}\n`);
  process.exit(70);
});
