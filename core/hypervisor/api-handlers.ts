/**
 * The hypervisor as API command handlers (core/host/api-server.ts `handlers` option): one entry
 * per VM, template and host command; host.info stays with the ApiServer.
 */
import {
  base64ToBytes,
  bytesToBase64,
  type ApiSession,
  type CommandOf,
  type CommandType,
  type ConsoleName,
  type ResultOf,
} from '../api/index.js';
import type { ConsoleStream } from '../vm/console-stream.js';
import type { Hypervisor } from './hypervisor.js';

export type HypervisorHandlers = {
  [T in CommandType]?: (command: CommandOf<T>, session: ApiSession) => Promise<ResultOf<T>> | ResultOf<T>;
};

/** One session's subscription to one VM console: attaches are counted, one listener carries the events. */
interface ConsoleSubscription {
  readonly vmId: string;
  count: number;
  stop(): void;
}

export interface HostControl {
  /** The host's process id (host.status). */
  readonly pid: number;
  /** Stops the host (after this answer is sent): VMs power off, then the host exits. */
  requestStop(): void;
}

export function hypervisorHandlers(hv: Hypervisor, host: HostControl): HypervisorHandlers {
  // Console output goes only to the sessions attached to that VM's console (never broadcast).
  // Keyed by the stream itself: a VM deleted and created again under the same id has new streams.
  const subscriptions = new Map<ApiSession, Map<ConsoleStream, ConsoleSubscription>>();
  // A deleted VM's streams are gone for good: drop every session's subscription to them (they
  // cannot be detached by name any more, and would keep the stream and its scrollback alive).
  hv.subscribe((event) => {
    if (event.type !== 'vm.removed') return;
    for (const mine of subscriptions.values()) {
      for (const [stream, sub] of mine) {
        if (sub.vmId !== event.id) continue;
        sub.stop();
        mine.delete(stream);
      }
    }
  });

  const subscribe = (session: ApiSession, vmId: string, name: ConsoleName, stream: ConsoleStream): void => {
    let mine = subscriptions.get(session);
    if (!mine) {
      const created = new Map<ConsoleStream, ConsoleSubscription>();
      mine = created;
      subscriptions.set(session, created);
      session.onClose(() => {
        for (const sub of created.values()) sub.stop();
        subscriptions.delete(session);
      });
    }
    const existing = mine.get(stream);
    if (existing) {
      existing.count++;
      return;
    }
    const stop = stream.attach((bytes, offset) => session.emit({ type: 'console.output', vmId, console: name, offset, data: bytesToBase64(bytes) }));
    mine.set(stream, { vmId, count: 1, stop });
  };

  const unsubscribe = (session: ApiSession, stream: ConsoleStream): void => {
    const mine = subscriptions.get(session);
    const sub = mine?.get(stream);
    if (!mine || !sub) return;
    if (--sub.count > 0) return;
    sub.stop();
    mine.delete(stream);
  };

  return {
    'host.status': () => hv.hostStatus(host.pid),
    'host.stop': () => {
      host.requestStop();
      return { stopping: true };
    },
    'template.list': () => hv.templateList(),
    'template.build': (c) => hv.buildTemplate(c.id, { operationId: c.operationId }),
    'vm.list': () => hv.list(),
    'vm.get': (c) => hv.get(c.id),
    'vm.create': (c) => hv.createVm(c.config, { template: c.template, operationId: c.operationId }),
    'vm.update': (c) => hv.update(c.id, c.patch),
    'vm.delete': (c) => hv.delete(c.id, { keepDisks: c.keepDisks === true }),
    'operation.cancel': (c) => ({ operationId: c.operationId, cancelled: hv.cancelOperation(c.operationId) }),
    'vm.stats': (c) => hv.stats(c.id),
    'vm.start': (c) => hv.start(c.id),
    'vm.stop': (c) => hv.stop(c.id),
    'vm.hardStop': (c) => hv.hardStop(c.id),
    'vm.reset': (c) => hv.reset(c.id),
    'vm.sendKeys': (c) => hv.sendKeys(c.id, c.keys),
    'vm.pause': (c) => hv.pause(c.id),
    'vm.resume': (c) => hv.resume(c.id),
    'console.attach': (c, session) => {
      // The snapshot and the subscription happen in the same turn, so the first event's offset is
      // the snapshot's end: nothing is lost and nothing is sent twice.
      const stream = hv.consoleStream(c.vmId, c.console);
      const { bytes, end } = stream.snapshot();
      subscribe(session, c.vmId, c.console, stream);
      return { vmId: c.vmId, console: c.console, scrollback: bytesToBase64(bytes), offset: end };
    },
    'console.detach': (c, session) => {
      unsubscribe(session, hv.consoleStream(c.vmId, c.console));
      return { vmId: c.vmId, console: c.console };
    },
    'console.scrollback': (c) => {
      const { bytes, end } = hv.consoleSnapshot(c.vmId, c.console);
      return { vmId: c.vmId, console: c.console, scrollback: bytesToBase64(bytes), offset: end };
    },
    'console.input': (c) => {
      hv.consoleInput(c.vmId, base64ToBytes(c.data), c.console);
      return { vmId: c.vmId, console: c.console };
    },
    'console.break': (c) => {
      hv.consoleBreak(c.vmId, c.console);
      return { vmId: c.vmId, console: c.console };
    },
  };
}
