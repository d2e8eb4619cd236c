/**
 * The typed client every front end uses (renderer services, the CLI, tests):
 *
 *   const api = createApiClient(transport);
 *   const info = await api.hostInfo();            // typed HostInfo
 *   api.onEvent((event) => { ... });              // typed ApiEvent
 *
 * Methods reject with `ApiError` ({ code, message }); answers and events are validated against
 * the contract where they enter, so a host of another version fails loudly, not subtly.
 */
import { z } from 'zod';
import { resultSchemas, type CommandInput, type ConsoleName, type CommandType, type KeyCombo, type HostInfo, type ResultOf } from './commands.js';
import { ApiError } from './errors.js';
import type { ApiEvent } from './events.js';
import { serverMessageSchema } from './protocol.js';
import { Listeners, type Transport } from './transport.js';
import type { VmConfigInput, VmConfigPatch, VmDetails, VmId, VmSummary } from './vm-config.js';

type PowerResult = ResultOf<'vm.start'>;
type ConsoleResult = ResultOf<'console.attach'>;

export interface ApiClient {
  /** Sends any command; resolves with its typed result. */
  call<C extends CommandInput>(command: C): Promise<ResultOf<C['type']>>;
  hostInfo(): Promise<HostInfo>;
  vmList(): Promise<VmSummary[]>;
  vmGet(id: VmId): Promise<VmDetails>;
  vmCreate(config: VmConfigInput): Promise<VmDetails>;
  vmUpdate(id: VmId, patch: VmConfigPatch): Promise<VmDetails>;
  vmDelete(id: VmId): Promise<{ id: VmId }>;
  /** Cancels a long operation (see vm.create's `operationId`). */
  operationCancel(operationId: string): Promise<ResultOf<'operation.cancel'>>;
  vmStart(id: VmId): Promise<PowerResult>;
  vmStop(id: VmId): Promise<PowerResult>;
  vmHardStop(id: VmId): Promise<PowerResult>;
  vmReset(id: VmId): Promise<PowerResult>;
  /** Presses Ctrl+Alt+Del on the VM's keyboard; `delivered` is false when no guest driver listens. */
  vmSendKeys(id: VmId, keys: KeyCombo): Promise<{ id: VmId; delivered: boolean }>;
  vmPause(id: VmId): Promise<PowerResult>;
  vmResume(id: VmId): Promise<PowerResult>;
  /** Subscribes this connection to the console (default `serial`); answers with its scrollback. */
  consoleAttach(vmId: VmId, console?: ConsoleName): Promise<ConsoleResult>;
  consoleDetach(vmId: VmId, console?: ConsoleName): Promise<ConsoleResult>;
  consoleScrollback(vmId: VmId, console?: ConsoleName): Promise<ConsoleResult>;
  /** `data` is base64 (see bytes.ts: bytesToBase64, textToBase64). */
  consoleInput(vmId: VmId, data: string, console?: ConsoleName): Promise<ConsoleResult>;
  /** A break condition on the serial line. */
  consoleBreak(vmId: VmId, console?: ConsoleName): Promise<ConsoleResult>;
  /** Receives host events; returns an unsubscribe function. */
  onEvent(listener: (event: ApiEvent) => void): () => void;
  /** Called once when the transport closes; pending calls reject with `disconnected`. */
  onClose(listener: (reason: string) => void): () => void;
  close(): void;
}

interface Pending {
  type: CommandType;
  resolve(value: unknown): void;
  reject(error: ApiError): void;
}

export function createApiClient(transport: Transport): ApiClient {
  const pending = new Map<number, Pending>();
  const events = new Listeners<ApiEvent>();
  const closed = new Listeners<string>();
  let nextId = 1;
  let closeReason: string | null = null;

  transport.onMessage((raw) => {
    const parsed = serverMessageSchema.safeParse(raw);
    if (!parsed.success) return; // not ours to answer; a malformed event must not break the others
    const message = parsed.data;
    if (message.kind === 'event') {
      events.emit(message.event);
      return;
    }
    if (message.id === null) return; // the host could not read one of our messages: nothing to settle
    const call = pending.get(message.id);
    if (!call) return;
    pending.delete(message.id);
    if (!message.ok) {
      call.reject(new ApiError(message.error.code, message.error.message));
      return;
    }
    const result = resultSchemas[call.type].safeParse(message.result);
    if (result.success) call.resolve(result.data);
    else call.reject(new ApiError('bad-response', `the host's answer to ${call.type} does not match this client: ${z.prettifyError(result.error)}`));
  });

  transport.onClose((reason) => {
    closeReason = reason;
    for (const call of pending.values()) call.reject(new ApiError('disconnected', `lost the connection to the host (${reason})`));
    pending.clear();
    closed.emit(reason);
  });

  function call<C extends CommandInput>(command: C): Promise<ResultOf<C['type']>> {
    if (closeReason !== null) {
      return Promise.reject(new ApiError('disconnected', `not connected to the host (${closeReason})`));
    }
    const id = nextId++;
    return new Promise((resolve, reject) => {
      pending.set(id, { type: command.type, resolve: resolve as (value: unknown) => void, reject });
      transport.send({ kind: 'request', id, command });
    });
  }

  return {
    call,
    hostInfo: () => call({ type: 'host.info' }),
    vmList: () => call({ type: 'vm.list' }),
    vmGet: (id) => call({ type: 'vm.get', id }),
    vmCreate: (config) => call({ type: 'vm.create', config }),
    vmUpdate: (id, patch) => call({ type: 'vm.update', id, patch }),
    vmDelete: (id) => call({ type: 'vm.delete', id }),
    operationCancel: (operationId) => call({ type: 'operation.cancel', operationId }),
    vmStart: (id) => call({ type: 'vm.start', id }),
    vmStop: (id) => call({ type: 'vm.stop', id }),
    vmHardStop: (id) => call({ type: 'vm.hardStop', id }),
    vmReset: (id) => call({ type: 'vm.reset', id }),
    vmSendKeys: (id, keys) => call({ type: 'vm.sendKeys', id, keys }),
    vmPause: (id) => call({ type: 'vm.pause', id }),
    vmResume: (id) => call({ type: 'vm.resume', id }),
    consoleAttach: (vmId, console) => call({ type: 'console.attach', vmId, console }),
    consoleDetach: (vmId, console) => call({ type: 'console.detach', vmId, console }),
    consoleScrollback: (vmId, console) => call({ type: 'console.scrollback', vmId, console }),
    consoleInput: (vmId, data, console) => call({ type: 'console.input', vmId, data, console }),
    consoleBreak: (vmId, console) => call({ type: 'console.break', vmId, console }),
    onEvent: (listener) => events.add(listener),
    onClose: (listener) => closed.add(listener),
    close: () => transport.close(),
  };
}
