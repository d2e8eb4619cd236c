/**
 * The hypervisor as API command handlers (core/host/api-server.ts `handlers` option): one entry
 * per VM, template and host command; host.info stays with the ApiServer.
 */
import {
  ApiError,
  base64ToBytes,
  bytesToBase64,
  type CommandOf,
  type CommandType,
  type ResultOf,
} from '../api/index.js';
import type { Hypervisor } from './hypervisor.js';

export type HypervisorHandlers = {
  [T in CommandType]?: (command: CommandOf<T>) => Promise<ResultOf<T>> | ResultOf<T>;
};

export interface HostControl {
  /** The host's process id (host.status). */
  readonly pid: number;
  /** Stops the host (after this answer is sent): VMs power off, then the host exits. */
  requestStop(): void;
}

export function hypervisorHandlers(hv: Hypervisor, host: HostControl): HypervisorHandlers {
  const console0 = (name: string) => {
    if (name !== 'serial0') throw new ApiError('not-found', `no console '${name}': this VM has serial0`);
  };
  return {
    'host.status': () => hv.hostStatus(host.pid),
    'host.stop': () => {
      host.requestStop();
      return { stopping: true };
    },
    'template.list': () => hv.templateList(),
    'vm.list': () => hv.list(),
    'vm.get': (c) => hv.get(c.id),
    'vm.create': (c) => hv.create(c.config),
    'vm.update': (c) => hv.update(c.id, c.patch),
    'vm.delete': (c) => hv.delete(c.id),
    'vm.stats': (c) => hv.stats(c.id),
    'vm.start': (c) => hv.start(c.id),
    'vm.stop': (c) => hv.stop(c.id),
    'vm.hardStop': (c) => hv.hardStop(c.id),
    'vm.reset': (c) => hv.reset(c.id),
    'vm.pause': (c) => hv.pause(c.id),
    'vm.resume': (c) => hv.resume(c.id),
    'console.attach': (c) => {
      console0(c.console);
      return { vmId: c.vmId, console: c.console, scrollback: bytesToBase64(hv.consoleAttach(c.vmId)) };
    },
    'console.detach': (c) => {
      console0(c.console);
      hv.get(c.vmId);
      return { vmId: c.vmId, console: c.console };
    },
    'console.input': (c) => {
      console0(c.console);
      hv.consoleInput(c.vmId, base64ToBytes(c.data));
      return { vmId: c.vmId, console: c.console };
    },
  };
}
