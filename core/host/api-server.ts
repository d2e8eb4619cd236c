/**
 * The host's implementation of the API: one object, served by the web host over WebSocket and by
 * Electron main over IPC. For now it answers host.info and an empty vm.list; the hypervisor
 * (core/hypervisor) takes over the VM commands as it lands.
 */
import { cpus, freemem, totalmem } from 'node:os';
import {
  ApiError,
  createSession,
  errorResult,
  parseCommand,
  type ApiSession,
  type ApiEvent,
  Listeners,
  type ApiService,
  type CallResult,
  type Command,
  type CommandOf,
  type CommandType,
  type HostInfo,
  type ResultOf,
} from '../api/index.js';

/**
 * A handler per command type: gets the validated command and the session it came from, returns its
 * result or throws `ApiError`.
 */
export type CommandHandlers = {
  [T in CommandType]?: (command: CommandOf<T>, session: ApiSession) => Promise<ResultOf<T>> | ResultOf<T>;
};

/** The session of in-process callers (the CLI, tests): its events go nowhere. */
const IN_PROCESS_SESSION: ApiSession = createSession('in-process', () => {}).session;

export interface ApiServerOptions {
  /** RiscStation's version (package.json). */
  productVersion: string;
  /** The VM library's folder. */
  dataDir: string;
  /** Which front end this server answers (reported by host.info). */
  frontEnd: HostInfo['frontEnd'];
  /** Electron's version when running inside Electron. */
  electronVersion?: string | null;
  /**
   * Implementations of commands (the hypervisor plugs in here). A command without one gets the
   * built-in answer: host.info, an empty vm.list, or `not-implemented`.
   */
  handlers?: CommandHandlers;
  /** Where unexpected failures are reported (they reach the client as `internal`). */
  logError?: (message: string, error: unknown) => void;
}

export class ApiServer implements ApiService {
  private readonly events = new Listeners<ApiEvent>();

  constructor(private readonly options: ApiServerOptions) {}

  /** Validates an untrusted command and runs it; never throws. */
  async call(input: unknown, session: ApiSession = IN_PROCESS_SESSION): Promise<CallResult> {
    const parsed = parseCommand(input);
    if (!parsed.ok) return errorResult(new ApiError('bad-request', parsed.message));
    try {
      return { ok: true, result: await this.handle(parsed.command, session) };
    } catch (error) {
      if (!(error instanceof ApiError)) this.options.logError?.(`${parsed.command.type} failed`, error);
      return errorResult(error);
    }
  }

  subscribe(listener: (event: ApiEvent) => void): () => void {
    return this.events.add(listener);
  }

  /** Sends an event to every front end. */
  emit(event: ApiEvent): void {
    this.events.emit(event);
  }

  private async handle(command: Command, session: ApiSession): Promise<unknown> {
    const handler = this.options.handlers?.[command.type] as
      | ((command: Command, session: ApiSession) => Promise<unknown>)
      | undefined;
    if (handler) return handler(command, session);
    switch (command.type) {
      case 'host.info':
        return this.hostInfo();
      case 'vm.list':
        return [];
      default:
        throw new ApiError(
          'not-implemented',
          `${command.type} is not implemented yet in RiscStation ${this.options.productVersion}: ` +
            'VMs arrive with the hypervisor in a later version',
        );
    }
  }

  private hostInfo(): HostInfo {
    return {
      product: { name: 'RiscStation', version: this.options.productVersion },
      platform: process.platform,
      arch: process.arch,
      cpuCount: Math.max(1, cpus().length),
      totalMemoryBytes: totalmem(),
      freeMemoryBytes: freemem(),
      nodeVersion: process.versions.node,
      electronVersion: this.options.electronVersion ?? null,
      dataDir: this.options.dataDir,
      frontEnd: this.options.frontEnd,
    };
  }
}
