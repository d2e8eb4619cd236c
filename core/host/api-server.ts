/**
 * The host's implementation of the API: one object, served by the web host over WebSocket and by
 * Electron main over IPC. For now it answers host.info and an empty vm.list; the hypervisor
 * (core/hypervisor) takes over the VM commands as it lands.
 */
import { cpus, freemem, totalmem } from 'node:os';
import {
  ApiError,
  errorResult,
  parseCommand,
  type ApiEvent,
  type ApiService,
  type CallResult,
  type Command,
  type HostInfo,
} from '../api/index.js';
import { Listeners } from '../api/transport.js';

export interface ApiServerOptions {
  /** RiscStation's version (package.json). */
  productVersion: string;
  /** The VM library's folder. */
  dataDir: string;
  /** Which front end this server answers (reported by host.info). */
  frontEnd: HostInfo['frontEnd'];
  /** Electron's version when running inside Electron. */
  electronVersion?: string | null;
  /** Where unexpected failures are reported (they reach the client as `internal`). */
  logError?: (message: string, error: unknown) => void;
}

export class ApiServer implements ApiService {
  private readonly events = new Listeners<ApiEvent>();

  constructor(private readonly options: ApiServerOptions) {}

  /** Validates an untrusted command and runs it; never throws. */
  async call(input: unknown): Promise<CallResult> {
    const parsed = parseCommand(input);
    if (!parsed.ok) return errorResult(new ApiError('bad-request', parsed.message));
    try {
      return { ok: true, result: await this.handle(parsed.command) };
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

  private async handle(command: Command): Promise<unknown> {
    switch (command.type) {
      case 'host.info':
        return this.hostInfo();
      case 'vm.list':
        return [];
      case 'vm.get':
      case 'vm.create':
      case 'vm.update':
      case 'vm.delete':
      case 'vm.start':
      case 'vm.stop':
      case 'vm.hardStop':
      case 'vm.reset':
      case 'vm.pause':
      case 'vm.resume':
      case 'console.attach':
      case 'console.detach':
      case 'console.input':
        throw new ApiError(
          'not-implemented',
          `${command.type} is not implemented yet in RiscStation ${this.options.productVersion}: ` +
            'VMs arrive with the hypervisor in a later version',
        );
      default: {
        const unreachable: never = command;
        throw new ApiError('bad-request', `unknown command ${JSON.stringify(unreachable)}`);
      }
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
