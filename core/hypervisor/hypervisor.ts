/**
 * The hypervisor: the VM library plus every running VM's process, lifecycle, console and
 * counters, behind methods that match the API's VM commands one to one (core/host/api-server.ts
 * forwards to them). It is never on a VM's fast path: guest instructions and device I/O stay in
 * the VM process; the host only starts, stops, pauses and watches.
 *
 * Policy: each start is admitted only if the guest RAM of all running VMs stays within
 * `memoryLimitPercent` of host memory. Each VM's CPU cap travels to its process, which throttles
 * its own hart loop.
 */
import {
  ApiError,
  CONSOLE_NAMES,
  vmConfigSchema,
  vmConsoles,
  type ConsoleName,
  type ApiEvent,
  type HostStatus,
  type KeyCombo,
  type TemplateInfo,
  type VmConfig,
  type VmConfigInput,
  type VmConfigPatch,
  type VmDetails,
  type VmState,
  type VmStats,
  type VmSummary,
} from '../api/index.js';
import { ConsoleStream, type ConsoleListener } from '../vm/console-stream.js';
import { refusal, VmLifecycle, type VmAction } from '../vm/lifecycle.js';
import type { VmProcessExit, VmProcessHandle } from '../vm/process.js';
import { parseVmMessage, type BootSpec, type GuestStop, type HostToVm, type VmCounters, type VmMessage } from '../vm/protocol.js';
import { resolveBootFiles, type PackageHints } from './boot-files.js';
import type { GuestBuilder } from './guest-build.js';
import { joinPath, type HostPlatform } from './host-platform.js';
import { VmLibrary, type LibraryEntry, type VmFile } from './library.js';
import { Operations } from './operations.js';
import { loadTemplates, packageHints, templateProblem, templateStatus, type VmTemplate } from './templates.js';

export interface HypervisorOptions {
  /** The data folder holding vms/ (the caller holds the library lock). */
  readonly dataDir: string;
  /** resources/templates. */
  readonly templatesDir: string | null;
  /** Firmware used for `firmware: default`, first existing wins. */
  readonly defaultFirmware: readonly string[];
  /** Share of host memory running VMs' RAM may take (default 75). */
  readonly memoryLimitPercent?: number;
  /** How long `stop` waits for the guest to power off before pulling the plug (default 5 s). */
  readonly stopTimeoutMs?: number;
  /** How long a guest that took the power-button press (virtio-input) gets to shut down (default 60 s). */
  readonly poweroffGraceMs?: number;
  /** How long a VM process may take to boot or answer a request (default 30 s). */
  readonly requestTimeoutMs?: number;
  /** Bytes of console output kept per VM (default 64 KiB). */
  readonly scrollbackBytes?: number;
  /** The guest cache (`${guests}` in templates: the Linux guest `npm run guests` builds); null: none. */
  readonly guestCacheDir?: string | null;
  /** Builds templates' guest images (`template.build`); null/absent: this host cannot build them. */
  readonly guestBuilder?: GuestBuilder | null;
}

interface StatsSample {
  readonly at: number;
  readonly counters: VmCounters;
}

/** One VM the hypervisor knows: its files, lifecycle and (while it runs) its process. */
class VmEntry {
  readonly lifecycle: VmLifecycle;
  /** One stream (and scrollback) per console; hvc0 exists when a virtio-mmio slot is free after the disks. */
  readonly consoles = new Map<ConsoleName, ConsoleStream>();
  process: VmProcessHandle | null = null;
  /** Set when the process told us why it is going away (guest power-off, fatal error). */
  ending: { kind: 'stopped'; reason: string } | { kind: 'fatal'; reason: string } | null = null;
  /** The host asked for the process to end (stop timeout, hard stop, host shutdown). */
  endRequested = false;
  waiters: ((message: VmMessage) => boolean)[] = [];
  exitWaiters: (() => void)[] = [];
  startedAt = 0;
  scheduler: 'threaded' | 'inline' | null = null;
  lastSample: StatsSample | null = null;
  cancelStopTimer: (() => void) | null = null;

  constructor(
    public file: VmFile,
    state: VmState,
    crashReason: string | null,
    scrollback: number,
    onChange: (entry: VmEntry, state: VmState, previous: VmState, reason: string | undefined) => void,
  ) {
    this.lifecycle = new VmLifecycle(state, (s, p, r) => onChange(this, s, p, r));
    this.lifecycle.crashReason = crashReason;
    for (const name of CONSOLE_NAMES) this.consoles.set(name, new ConsoleStream(scrollback));
  }

  get id(): string {
    return this.file.id;
  }
  get config(): VmConfig {
    return this.file.config;
  }
}

export class Hypervisor {
  readonly library: VmLibrary;
  private readonly vms = new Map<string, VmEntry>();
  private broken = new Map<string, string>();
  private readonly listeners = new Set<(event: ApiEvent) => void>();
  private readonly templates: VmTemplate[];
  private readonly hints: PackageHints;
  private readonly memoryLimitPercent: number;
  private readonly stopTimeoutMs: number;
  private readonly requestTimeoutMs: number;
  private readonly startedAt: number;
  private nextRequestId = 1;
  private shuttingDown = false;
  /** Long operations (template disk copies) clients follow and may cancel. */
  private readonly operations = new Operations(
    () => this.platform.timers.now(),
    (operationId, progress) => this.emit({ type: 'operation.progress', operationId, ...progress }),
  );
  /** The guest build under way (one at a time: they share the guest cache and its lock). */
  private guestBuild: { templateId: string; operationId: string; startedAt: number; stop: () => Promise<unknown> } | null = null;
  /** Names of VMs whose creation is under way (their disks are being copied). */
  private readonly creatingNames = new Set<string>();

  constructor(
    private readonly platform: HostPlatform,
    private readonly options: HypervisorOptions,
  ) {
    this.library = new VmLibrary(platform.files, options.dataDir);
    this.templates = options.templatesDir ? loadTemplates(platform.files, options.templatesDir, options.guestCacheDir ?? null) : [];
    this.hints = packageHints(this.templates);
    this.memoryLimitPercent = options.memoryLimitPercent ?? 75;
    this.stopTimeoutMs = options.stopTimeoutMs ?? 5000;
    this.requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
    this.startedAt = platform.timers.now();
    this.library.open();
    this.rescan();
  }

  /** Receives state changes and library changes (console output: `consoleListen`). */
  subscribe(listener: (event: ApiEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(event: ApiEvent): void {
    for (const l of this.listeners) l(event);
  }

  /** Re-reads vm.json files of VMs that are not running (a hand edit takes effect on the next list). */
  private rescan(): void {
    const seen = new Set<string>();
    const broken = new Map<string, string>();
    for (const entry of this.library.readAll()) {
      const id = entry.ok ? entry.file.id : entry.id;
      seen.add(id);
      const known = this.vms.get(id);
      if (known && isActive(known.lifecycle.state)) continue; // running VMs keep the config they started with
      if (!entry.ok) {
        broken.set(id, entry.error);
        this.vms.delete(id);
        continue;
      }
      this.adopt(entry, known);
    }
    for (const id of [...this.vms.keys()]) {
      const vm = this.vms.get(id)!;
      if (!seen.has(id) && !isActive(vm.lifecycle.state)) this.vms.delete(id);
    }
    this.broken = broken;
  }

  private adopt(entry: Extract<LibraryEntry, { ok: true }>, known: VmEntry | undefined): void {
    if (known) {
      known.file = entry.file;
      return;
    }
    this.vms.set(
      entry.file.id,
      new VmEntry(entry.file, entry.settled.state, entry.settled.crashReason, this.options.scrollbackBytes ?? 64 * 1024, (vm, s, p, r) =>
        this.stateChanged(vm, s, p, r),
      ),
    );
  }

  private stateChanged(vm: VmEntry, state: VmState, previous: VmState, reason: string | undefined): void {
    this.log(vm.id, `state ${previous} -> ${state}${reason ? ` (${reason})` : ''}`);
    try {
      this.library.writeState(vm.id, state, vm.lifecycle.crashReason);
    } catch (error) {
      this.log(vm.id, `cannot record the state: ${String(error)}`);
    }
    this.emit({ type: 'vm.stateChanged', id: vm.id, state, previous, ...(reason !== undefined ? { reason } : {}) });
  }

  private log(id: string, line: string): void {
    this.library.log(id, this.platform.isoTime(), line);
  }

  // --- the library ---

  /** Every VM, in creation order; a VM whose vm.json is broken is listed with `error`. */
  list(): VmSummary[] {
    this.rescan();
    const rows: VmSummary[] = [...this.vms.values()]
      .sort((a, b) => (a.file.createdAt < b.file.createdAt ? -1 : a.file.createdAt > b.file.createdAt ? 1 : a.id < b.id ? -1 : 1))
      .map((vm) => summary(vm));
    for (const [id, error] of this.broken) rows.push({ id, name: id, state: 'stopped', harts: 0, memoryMiB: 0, error });
    return rows;
  }

  get(id: string): VmDetails {
    const vm = this.find(id);
    return details(vm);
  }

  /** Creates a VM after checking its boot files (they must exist and be the right kind). */
  create(input: VmConfigInput): VmDetails {
    const parsed = vmConfigSchema.safeParse(input);
    if (!parsed.success) throw new ApiError('bad-request', `invalid VM configuration: ${parsed.error.issues.map((i) => i.message).join('; ')}`);
    const config = parsed.data;
    this.rescan();
    for (const vm of this.vms.values()) {
      if (vm.config.name === config.name) throw new ApiError('conflict', `a VM named '${config.name}' already exists (id ${vm.id}); choose another name`);
    }
    if (this.creatingNames.has(config.name)) throw new ApiError('conflict', `a VM named '${config.name}' is being created; choose another name`);
    resolveBootFiles(this.platform.files, config, this.options.defaultFirmware, this.hints);
    const id = this.library.freeId(config.name);
    const file = this.library.create(id, config, this.platform.isoTime());
    this.log(id, `created '${config.name}'`);
    const entry = this.library.read(id);
    if (!entry.ok) throw new ApiError('internal', `the new VM could not be read back: ${entry.error}`);
    this.adopt(entry, undefined);
    const vm = this.vms.get(file.id)!;
    this.emit({ type: 'vm.added', vm: summary(vm) });
    return details(vm);
  }

  /** Changes configuration: name and notes any time, the hardware only while the VM is off. */
  update(id: string, patch: VmConfigPatch): VmDetails {
    const vm = this.find(id);
    const hardware = Object.keys(patch).some((k) => k !== 'name' && k !== 'notes');
    if (hardware) this.check(vm, 'configure');
    const parsed = vmConfigSchema.safeParse({ ...vm.config, ...patch });
    if (!parsed.success) throw new ApiError('bad-request', `invalid VM configuration: ${parsed.error.issues.map((i) => i.message).join('; ')}`);
    if (patch.name !== undefined) {
      for (const other of this.vms.values()) {
        if (other !== vm && other.config.name === patch.name) throw new ApiError('conflict', `a VM named '${patch.name}' already exists (id ${other.id})`);
      }
      if (patch.name !== vm.config.name && this.creatingNames.has(patch.name)) throw new ApiError('conflict', `a VM named '${patch.name}' is being created; choose another name`);
    }
    if (hardware) resolveBootFiles(this.platform.files, parsed.data, this.options.defaultFirmware, this.hints);
    const file = { ...vm.file, config: parsed.data };
    this.library.writeConfig(file);
    vm.file = file;
    this.emit({ type: 'vm.updated', vm: summary(vm) });
    return details(vm);
  }

  /**
   * Deletes a VM and its folder (also a broken one). With `keepDisks`, the VM's own disks
   * (vms/<id>/disks/) move to <data>/kept-disks/<id>-<time>/ first: `keptDisks` says where.
   * Disk images outside the VM's folder are never touched.
   */
  delete(id: string, options: { keepDisks?: boolean } = {}): { id: string; keptDisks?: string | null } {
    this.rescan();
    const keep = (): { keptDisks?: string | null } => {
      if (!options.keepDisks) return {};
      const keptDisks = this.library.keepDisks(id, this.platform.isoTime());
      if (keptDisks) this.log(id, `kept its disks in ${keptDisks}`);
      return { keptDisks };
    };
    if (this.broken.has(id)) {
      const kept = keep();
      this.library.remove(id);
      this.broken.delete(id);
      this.emit({ type: 'vm.removed', id });
      return { id, ...kept };
    }
    const vm = this.find(id);
    this.check(vm, 'delete');
    const kept = keep();
    this.library.remove(id);
    this.vms.delete(id);
    this.emit({ type: 'vm.removed', id });
    return { id, ...kept };
  }

  /**
   * Creates a VM, from a template when `template` names one. A template with disks of its own
   * (`copyDisks`: the Linux root disk) gives the VM a private copy of each in vms/<id>/disks/:
   * a long operation reporting `operation.progress` under `operationId`, which `operation.cancel`
   * stops, leaving nothing on disk (the VM is assembled in a hidden folder, renamed when done).
   */
  async createVm(input: VmConfigInput, options: { template?: string; operationId?: string } = {}): Promise<VmDetails> {
    let template: VmTemplate | null = null;
    if (options.template !== undefined) {
      template = this.templates.find((t) => t.id === options.template) ?? null;
      if (!template) throw new ApiError('not-found', `no template '${options.template}'; templates: ${this.templates.map((t) => t.id).join(', ')}`);
      const problem = templateProblem(templateStatus(this.platform.files, template));
      if (problem) throw new ApiError('bad-request', problem);
    }
    if (!template || template.copyDisks.length === 0) return this.create(input);
    const parsed = vmConfigSchema.safeParse(input);
    if (!parsed.success) throw new ApiError('bad-request', `invalid VM configuration: ${parsed.error.issues.map((i) => i.message).join('; ')}`);
    const name = parsed.data.name;
    this.rescan();
    for (const vm of this.vms.values()) {
      if (vm.config.name === name) throw new ApiError('conflict', `a VM named '${name}' already exists (id ${vm.id}); choose another name`);
    }
    if (this.creatingNames.has(name)) throw new ApiError('conflict', `a VM named '${name}' is being created; choose another name`);
    const fileName = (p: string) => p.split('/').pop() ?? p;
    const sources = template.copyDisks;
    const extra = parsed.data.disks;
    if (sources.length + extra.length > 8) throw new ApiError('bad-request', `the template brings ${sources.length} disk(s): give at most ${8 - sources.length} more`);
    // Check everything against the pristine images before copying anything.
    resolveBootFiles(
      this.platform.files,
      { ...parsed.data, disks: [...sources.map((path) => ({ path, format: 'raw' as const, readOnly: true })), ...extra] },
      this.options.defaultFirmware,
      this.hints,
    );
    const id = this.library.freeId(name);
    const staging = this.library.stagingDir(id);
    // Boot files from the guest cache are pinned to the build they come from (the `linux-busybox`
    // pointer moves on with the next build): the VM keeps the kernel that matches its disk copy.
    const fromTemplate = [template.config.kernel, template.config.initrd];
    const pin = (p: string | null): string | null => (p !== null && fromTemplate.includes(p) ? this.platform.files.realPath(p) : p);
    const config: VmConfig = {
      ...parsed.data,
      kernel: pin(parsed.data.kernel),
      initrd: pin(parsed.data.initrd),
      disks: [...sources.map((src) => ({ path: joinPath(this.library.disksDir(id), fileName(src)), format: 'raw' as const, readOnly: false })), ...extra],
    };
    const op = this.operations.begin(options.operationId);
    this.creatingNames.add(name);
    try {
      this.platform.files.mkdirp(joinPath(staging, 'disks'));
      for (const src of sources) {
        const what = `copying ${fileName(src)}`;
        const outcome = await this.platform.files.copyFile(src, joinPath(staging, 'disks', fileName(src)), {
          onProgress: (done, total) => op.progress(what, done, total),
          cancelled: () => op.cancelled,
        });
        if (outcome === 'cancelled') throw new ApiError('cancelled', `creating '${name}' was cancelled; nothing was kept`);
      }
      // A cancel that came after the last block still wins (its answer said nothing is kept); so
      // does a host that began shutting down meanwhile.
      if (op.cancelled) throw new ApiError('cancelled', `creating '${name}' was cancelled; nothing was kept`);
      if (this.shuttingDown) throw new ApiError('invalid-state', `the host is shutting down: '${name}' was not created`);
      this.library.create(id, config, this.platform.isoTime(), staging);
      this.library.commitStaged(id);
    } catch (error) {
      this.platform.files.removeTree(staging);
      if (error instanceof ApiError) throw error;
      throw new ApiError('internal', `could not create '${name}': ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      this.operations.end(op);
      this.creatingNames.delete(name);
    }
    this.log(id, `created '${name}' from the template '${template.name}' with its own copy of ${sources.join(', ')}`);
    const entry = this.library.read(id);
    if (!entry.ok) throw new ApiError('internal', `the new VM could not be read back: ${entry.error}`);
    this.adopt(entry, undefined);
    const vm = this.vms.get(id)!;
    this.emit({ type: 'vm.added', vm: summary(vm) });
    return details(vm);
  }

  /** Cancels a long operation; false when none runs under that id. */
  cancelOperation(operationId: string): boolean {
    return this.operations.cancel(operationId);
  }

  templateList(): TemplateInfo[] {
    return this.templates.map((t) => this.templateInfo(t));
  }

  private templateInfo(t: VmTemplate): TemplateInfo {
    const s = templateStatus(this.platform.files, t);
    return {
      id: s.id,
      name: s.name,
      description: s.description,
      config: s.config,
      needs: s.needs,
      missing: s.missing,
      ...(s.copyDisks.length > 0 ? { copyDisks: s.copyDisks } : {}),
      ...(s.guestBuild ? { guestBuild: s.guestBuild } : {}),
      ...(s.translations.ja ? { translations: { ja: s.translations.ja } } : {}),
      ...(this.guestBuild?.templateId === t.id
        ? { building: { operationId: this.guestBuild.operationId, elapsedSeconds: Math.max(0, Math.round((this.platform.timers.now() - this.guestBuild.startedAt) / 1000)) } }
        : {}),
    };
  }

  /**
   * Builds a template's guest images (`template.build`): a long operation under `operationId`
   * reporting step progress, stopped by `operation.cancel` (the build's processes are killed; what
   * it finished stays in the cache and the next build resumes). One build at a time. Resolves
   * once the build has ended, with the template as it is now (usable when the build succeeded).
   */
  async buildTemplate(id: string, options: { operationId?: string } = {}): Promise<{ id: string; upToDate: boolean; dir: string | null; template: TemplateInfo }> {
    const template = this.templates.find((t) => t.id === id);
    if (!template) throw new ApiError('not-found', `no template '${id}'; templates: ${this.templates.map((t) => t.id).join(', ')}`);
    if (!template.guestBuild) {
      throw new ApiError('bad-request', `the template '${template.name}' has no guest images to build: its files come from Debian packages (template.list says which)`);
    }
    const builder = this.options.guestBuilder;
    const unavailable = builder ? builder.unavailable() : `this host cannot build guests: run \`${template.guestBuild.command}\` in RiscStation's source folder (${template.guestBuild.duration})`;
    if (!builder || unavailable !== null) throw new ApiError('not-implemented', unavailable ?? 'this host cannot build guests');
    if (this.shuttingDown) throw new ApiError('invalid-state', 'the host is shutting down');
    const running = this.guestBuild;
    if (running) {
      const other = this.templates.find((t) => t.id === running.templateId)?.name ?? running.templateId;
      throw new ApiError('conflict', `the guest images of '${other}' are being built already (operation ${running.operationId}): wait for that build to finish or cancel it`);
    }
    const op = this.operations.begin(options.operationId);
    try {
      const run = builder.start((p) => op.stepProgress(p.what, p.step, p.steps, p.detail));
      this.guestBuild = {
        templateId: template.id,
        operationId: op.id,
        startedAt: this.platform.timers.now(),
        stop: () => {
          run.cancel();
          return run.done;
        },
      };
      op.onCancel(() => run.cancel());
      const outcome = await run.done;
      if (outcome.kind === 'cancelled') {
        throw new ApiError('cancelled', `building the ${template.name} guest was cancelled; what was finished is kept, and building again resumes from there`);
      }
      if (outcome.kind === 'failed') throw new ApiError('failed', `building the ${template.name} guest failed: ${outcome.message}`);
      this.guestBuild = null;
      const info = this.templateInfo(template);
      if (info.missing.length > 0) {
        throw new ApiError('failed', `the ${template.name} guest build finished, but these files are still missing: ${info.missing.map((m) => m.path).join(', ')}`);
      }
      return { id: template.id, upToDate: outcome.upToDate, dir: outcome.dir, template: info };
    } finally {
      this.operations.end(op);
      this.guestBuild = null;
    }
  }

  hostStatus(pid: number): HostStatus {
    const total = this.platform.totalMemoryBytes();
    const running = [...this.vms.values()].filter((vm) => isActive(vm.lifecycle.state));
    return {
      pid,
      dataDir: this.options.dataDir,
      uptimeSeconds: (this.platform.timers.now() - this.startedAt) / 1000,
      vms: { total: this.vms.size + this.broken.size, running: running.length },
      memory: {
        runningMiB: running.reduce((sum, vm) => sum + vm.config.memoryMiB, 0),
        limitMiB: this.memoryLimitMiB(),
        hostTotalMiB: Math.floor(total / (1024 * 1024)),
        limitPercent: this.memoryLimitPercent,
      },
    };
  }

  private memoryLimitMiB(): number {
    return Math.floor((this.platform.totalMemoryBytes() * this.memoryLimitPercent) / 100 / (1024 * 1024));
  }

  private find(id: string): VmEntry {
    const vm = this.vms.get(id);
    if (vm) return vm;
    this.rescan();
    const again = this.vms.get(id);
    if (again) return again;
    const broken = this.broken.get(id);
    if (broken) throw new ApiError('invalid-state', `VM '${id}' cannot be used: ${broken}`);
    throw new ApiError('not-found', `no VM with id '${id}'`);
  }

  private check(vm: VmEntry, action: VmAction): void {
    const why = refusal(vm.config.name, vm.lifecycle.state, action);
    if (why) throw new ApiError('invalid-state', why);
  }

  // --- power ---

  /** Starts a VM in its own process; resolves once it runs (or rejects with why it could not). */
  async start(id: string): Promise<{ id: string; state: VmState }> {
    if (this.shuttingDown) throw new ApiError('invalid-state', 'the host is shutting down');
    const vm = this.find(id);
    this.check(vm, 'start');
    const boot = resolveBootFiles(this.platform.files, vm.config, this.options.defaultFirmware, this.hints);
    const running = [...this.vms.values()].filter((v) => isActive(v.lifecycle.state));
    const usedMiB = running.reduce((sum, v) => sum + v.config.memoryMiB, 0);
    const limitMiB = this.memoryLimitMiB();
    if (usedMiB + vm.config.memoryMiB > limitMiB) {
      throw new ApiError(
        'insufficient-resources',
        `cannot start '${vm.config.name}': it needs ${vm.config.memoryMiB} MiB of RAM and the ${running.length} running VM(s) ` +
          `already use ${usedMiB} MiB; the limit is ${limitMiB} MiB (${this.memoryLimitPercent}% of ` +
          `${Math.floor(this.platform.totalMemoryBytes() / (1024 * 1024))} MiB host memory). Stop a VM or give this one less memory.`,
      );
    }
    const spec: BootSpec = {
      vmId: vm.id,
      harts: vm.config.harts,
      memoryMiB: vm.config.memoryMiB,
      bios: boot.bios,
      kernel: boot.kernel,
      initrd: boot.initrd,
      cmdline: vm.config.cmdline,
      disks: vm.config.disks.map((d) => ({ path: d.path, readOnly: d.readOnly })),
      cpuCapPercent: vm.config.cpuCapPercent,
    };
    this.platform.files.mkdirp(this.library.logsDir(vm.id));
    vm.lifecycle.apply({ type: 'start' });
    vm.ending = null;
    vm.endRequested = false;
    vm.lastSample = null;
    let handle: VmProcessHandle;
    try {
      handle = this.platform.launcher.launch({ vmId: vm.id, stderrLog: this.library.processLog(vm.id) });
    } catch (error) {
      vm.lifecycle.apply({ type: 'crash', reason: `the VM process could not be started: ${error instanceof Error ? error.message : String(error)}` });
      throw new ApiError('internal', `VM '${vm.config.name}' could not be started: ${vm.lifecycle.crashReason}`);
    }
    vm.process = handle;
    vm.startedAt = this.platform.timers.now();
    // utilityProcess learns its pid only once the process has spawned: 'booted' logs it then.
    this.log(vm.id, handle.pid === null ? 'VM process starting' : `VM process ${handle.pid} started`);
    handle.onMessage((raw) => this.onVmMessage(vm, handle, raw));
    handle.onExit((exit) => this.onVmExit(vm, handle, exit));
    const booted = this.expect(vm, (m) => m.type === 'booted', 'boot');
    handle.send({ type: 'boot', spec });
    try {
      await booted;
    } catch (error) {
      if (error instanceof VmEndedError) {
        // The process is on its way out: report once it is gone and the VM is marked crashed.
        const cancel = this.platform.timers.after(5000, () => vm.process?.kill());
        await this.exited(vm);
        cancel();
      }
      if (error instanceof VmEndedError || vm.lifecycle.state === 'crashed') {
        throw new ApiError('internal', `VM '${vm.config.name}' crashed while starting: ${vm.lifecycle.crashReason ?? (error as Error).message}`);
      }
      throw error;
    }
    return { id: vm.id, state: vm.lifecycle.state };
  }

  /** Asks the guest to power off; pulls the plug after the stop timeout. Resolves when stopped. */
  async stop(id: string): Promise<{ id: string; state: VmState }> {
    const vm = this.find(id);
    this.check(vm, 'stop');
    const exited = this.exited(vm);
    const wasPaused = vm.lifecycle.state === 'paused';
    vm.lifecycle.apply({ type: 'stop' });
    if (wasPaused) vm.process?.send({ type: 'resume' }); // a frozen guest cannot answer the request
    vm.process?.send({ type: 'powerRequest' });
    this.armStopTimer(vm, this.stopTimeoutMs);
    await exited;
    return { id: vm.id, state: vm.lifecycle.state };
  }

  /** Hard-stops the VM unless it powers off within `ms` (a later call replaces the deadline). */
  private armStopTimer(vm: VmEntry, ms: number): void {
    vm.cancelStopTimer?.();
    vm.cancelStopTimer = this.platform.timers.after(ms, () => {
      if (vm.process) {
        this.log(vm.id, `the guest did not power off within ${ms} ms: hard stop`);
        vm.endRequested = true;
        vm.process.kill();
      }
    });
  }

  /** Ends the VM's process at once. */
  async hardStop(id: string): Promise<{ id: string; state: VmState }> {
    const vm = this.find(id);
    this.check(vm, 'hardStop');
    const exited = this.exited(vm);
    vm.lifecycle.apply({ type: 'stop' });
    vm.endRequested = true;
    vm.process?.kill();
    await exited;
    return { id: vm.id, state: vm.lifecycle.state };
  }

  async pause(id: string): Promise<{ id: string; state: VmState }> {
    const vm = this.find(id);
    this.check(vm, 'pause');
    await this.request(vm, { type: 'pause' }, 'paused');
    vm.lifecycle.apply({ type: 'pause' });
    return { id: vm.id, state: vm.lifecycle.state };
  }

  async resume(id: string): Promise<{ id: string; state: VmState }> {
    const vm = this.find(id);
    this.check(vm, 'resume');
    await this.request(vm, { type: 'resume' }, 'resumed');
    vm.lifecycle.apply({ type: 'resume' });
    return { id: vm.id, state: vm.lifecycle.state };
  }

  async reset(id: string): Promise<{ id: string; state: VmState }> {
    const vm = this.find(id);
    this.check(vm, 'reset');
    await this.request(vm, { type: 'reset' }, 'reset');
    this.log(vm.id, 'reset');
    return { id: vm.id, state: vm.lifecycle.state };
  }

  /** Presses a key combination on the VM's keyboard (virtio-input); false when no guest driver listens. */
  async sendKeys(id: string, keys: KeyCombo): Promise<{ id: string; delivered: boolean }> {
    const vm = this.find(id);
    this.check(vm, 'consoleInput');
    const answer = await this.request(vm, { type: 'keys', keys }, 'keysSent');
    return { id: vm.id, delivered: answer.type === 'keysSent' && answer.delivered };
  }

  /** Counters of a VM; rates are over the interval since the previous `stats` call (or since boot). */
  async stats(id: string): Promise<VmStats> {
    const vm = this.find(id);
    const state = vm.lifecycle.state;
    const base: VmStats = {
      id: vm.id,
      state,
      harts: vm.config.harts,
      pid: vm.process?.pid ?? null,
      instructionsRetired: 0,
      instructionsPerSecond: 0,
      cpuPercent: 0,
      rssBytes: 0,
      uptimeSeconds: 0,
      cpuCapPercent: vm.config.cpuCapPercent,
      scheduler: vm.process ? vm.scheduler : null,
    };
    if (!vm.process || (state !== 'running' && state !== 'paused')) return base;
    const requestId = this.nextRequestId++;
    const reply = await this.request(vm, { type: 'stats', requestId }, 'stats', (m) => m.type === 'stats' && m.requestId === requestId);
    if (reply.type !== 'stats') return base;
    const now = this.platform.timers.now();
    const c = reply.counters;
    const prev = vm.lastSample ?? { at: now - c.uptimeMs, counters: { retired: 0, cpuMicros: 0, rssBytes: 0, uptimeMs: 0 } };
    const seconds = Math.max(1e-3, (now - prev.at) / 1000);
    vm.lastSample = { at: now, counters: c };
    return {
      ...base,
      instructionsRetired: c.retired,
      instructionsPerSecond: Math.max(0, (c.retired - prev.counters.retired) / seconds),
      cpuPercent: Math.max(0, (c.cpuMicros - prev.counters.cpuMicros) / 1e4 / seconds),
      rssBytes: c.rssBytes,
      uptimeSeconds: c.uptimeMs / 1000,
    };
  }

  // --- console ---

  /** A console's stream, refused when the VM does not have that console. */
  private consoleOf(vm: VmEntry, name: ConsoleName): ConsoleStream {
    const stream = vmConsoles(vm.config.disks.length).includes(name) ? vm.consoles.get(name) : undefined;
    if (!stream) {
      throw new ApiError('not-found', `VM '${vm.config.name}' has no console ${name}: its consoles are ${vmConsoles(vm.config.disks.length).join(' and ')}`);
    }
    return stream;
  }

  /** A VM console's stream (scrollback and listeners); a VM deleted and made again gets new ones. */
  consoleStream(id: string, name: ConsoleName = 'serial'): ConsoleStream {
    return this.consoleOf(this.find(id), name);
  }

  /** A console's scrollback (default the serial console). */
  consoleAttach(id: string, name: ConsoleName = 'serial'): Uint8Array {
    return this.consoleOf(this.find(id), name).scrollback();
  }

  /** A console's scrollback and the stream position just after it. */
  consoleSnapshot(id: string, name: ConsoleName = 'serial'): { bytes: Uint8Array; end: number } {
    return this.consoleOf(this.find(id), name).snapshot();
  }

  /**
   * Receives a VM console's output as it arrives, with each chunk's stream position; returns the
   * detach function. Front ends subscribe through `console.attach` (api-handlers.ts), tests here.
   */
  consoleListen(id: string, listener: ConsoleListener, name: ConsoleName = 'serial'): () => void {
    return this.consoleOf(this.find(id), name).attach(listener);
  }

  consoleInput(id: string, data: Uint8Array, name: ConsoleName = 'serial'): void {
    const vm = this.find(id);
    this.consoleOf(vm, name);
    this.check(vm, 'consoleInput');
    vm.process?.send({ type: 'input', stream: name, data });
  }

  /** A break condition on the serial line. */
  consoleBreak(id: string, name: ConsoleName = 'serial'): void {
    const vm = this.find(id);
    this.consoleOf(vm, name);
    if (name !== 'serial') throw new ApiError('bad-request', `${name} is a virtio console, which has no break signal; send break on the serial console`);
    this.check(vm, 'consoleInput');
    vm.process?.send({ type: 'break' });
  }

  /** Powers every VM off (stop, then hard stop after the timeout); for host shutdown. */
  async shutdown(): Promise<void> {
    this.shuttingDown = true;
    // A guest build is stopped with the host (its processes must not outlive it); it resumes next time.
    const pending: Promise<unknown>[] = this.guestBuild ? [this.guestBuild.stop()] : [];
    for (const vm of this.vms.values()) {
      const state = vm.lifecycle.state;
      if (state === 'running' || state === 'paused') pending.push(this.stop(vm.id).catch(() => {}));
      else if (state === 'starting' || state === 'stopping') pending.push(this.hardStop(vm.id).catch(() => {}));
    }
    await Promise.all(pending);
  }

  // --- the VM process ---

  private onVmMessage(vm: VmEntry, handle: VmProcessHandle, raw: unknown): void {
    if (vm.process !== handle) return;
    const message = parseVmMessage(raw);
    if (!message) {
      this.log(vm.id, `the VM process sent a malformed message: ${safeJson(raw)}`);
      vm.ending = { kind: 'fatal', reason: 'the VM process sent a malformed message' };
      handle.kill();
      return;
    }
    switch (message.type) {
      case 'output':
        // Attached front ends get it through their console.attach subscription (api-handlers.ts).
        vm.consoles.get(message.stream)?.write(message.data);
        break;
      case 'booted':
        vm.scheduler = message.scheduler;
        this.log(vm.id, `running: ${message.harts} hart(s), ${message.scheduler} scheduler, process ${handle.pid ?? '(in memory)'}`);
        vm.lifecycle.apply({ type: 'booted' });
        break;
      case 'stopped':
        vm.ending = { kind: 'stopped', reason: describeStop(message.stop) };
        this.log(vm.id, vm.ending.reason);
        if (vm.lifecycle.state === 'paused' || vm.lifecycle.state === 'running' || vm.lifecycle.state === 'starting') {
          vm.lifecycle.apply({ type: 'stop' });
        }
        handle.send({ type: 'exit' });
        break;
      case 'fatal':
        vm.ending = { kind: 'fatal', reason: message.message };
        this.log(vm.id, `fatal: ${message.detail}`);
        break;
      case 'log':
        this.log(vm.id, `vm: ${message.line}`);
        break;
      case 'powerButton':
        // A guest driver took the press (Linux + acpid): give its shutdown time to finish.
        if (message.pressed && vm.lifecycle.state === 'stopping' && vm.cancelStopTimer) {
          this.armStopTimer(vm, Math.max(this.stopTimeoutMs, this.options.poweroffGraceMs ?? 60_000));
        }
        break;
      default:
        break;
    }
    vm.waiters = vm.waiters.filter((w) => !w(message));
  }

  private onVmExit(vm: VmEntry, handle: VmProcessHandle, exit: VmProcessExit): void {
    if (vm.process !== handle) return;
    vm.process = null;
    vm.cancelStopTimer?.();
    vm.cancelStopTimer = null;
    const how = exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
    this.log(vm.id, `VM process ${handle.pid ?? '(in memory)'} ${how}`);
    if (vm.ending?.kind === 'fatal') {
      vm.lifecycle.apply({ type: 'crash', reason: vm.ending.reason });
    } else if (vm.ending?.kind === 'stopped') {
      vm.lifecycle.apply({ type: 'exited', reason: vm.ending.reason });
    } else if (vm.endRequested || (vm.lifecycle.state === 'stopping' && exit.code === 0)) {
      vm.lifecycle.apply({ type: 'exited', reason: vm.endRequested ? 'hard stop' : 'stopped' });
    } else {
      vm.lifecycle.apply({ type: 'crash', reason: `the VM process ${how} unexpectedly` });
    }
    vm.ending = null;
    vm.endRequested = false;
    const exitWaiters = vm.exitWaiters;
    vm.exitWaiters = [];
    for (const w of exitWaiters) w();
    // Anyone still waiting for an answer gets none.
    vm.waiters = vm.waiters.filter((w) => !w({ type: 'fatal', message: 'exited', detail: '' }));
  }

  /** Resolves when the VM's process has exited (at once when there is none). */
  private exited(vm: VmEntry): Promise<void> {
    if (!vm.process) return Promise.resolve();
    return new Promise((resolve) => vm.exitWaiters.push(resolve));
  }

  /** Waits for a message matching `match`; rejects when the process ends first or on timeout. */
  private expect(vm: VmEntry, match: (m: VmMessage) => boolean, what: string): Promise<VmMessage> {
    return new Promise((resolve, reject) => {
      const cancel = this.platform.timers.after(this.requestTimeoutMs, () => {
        vm.waiters = vm.waiters.filter((w) => w !== waiter);
        reject(new ApiError('internal', `VM '${vm.config.name}' did not answer ${what} within ${this.requestTimeoutMs / 1000} s`));
      });
      const waiter = (m: VmMessage): boolean => {
        if (m.type === 'fatal' && !match(m)) {
          cancel();
          reject(new VmEndedError(m.message === 'exited' ? `VM '${vm.config.name}' stopped before answering ${what}` : m.message));
          return true;
        }
        if (!match(m)) return false;
        cancel();
        resolve(m);
        return true;
      };
      vm.waiters.push(waiter);
    });
  }

  private request(vm: VmEntry, message: HostToVm, reply: VmMessage['type'], match?: (m: VmMessage) => boolean): Promise<VmMessage> {
    const handle = vm.process;
    if (!handle) return Promise.reject(new ApiError('invalid-state', `VM '${vm.config.name}' has no process`));
    const answer = this.expect(vm, match ?? ((m) => m.type === reply), message.type);
    handle.send(message);
    return answer;
  }
}

/** The VM process ended (or failed) before it answered a request. */
class VmEndedError extends ApiError {
  constructor(message: string) {
    super('invalid-state', message);
  }
}

function isActive(state: VmState): boolean {
  return state === 'starting' || state === 'running' || state === 'paused' || state === 'stopping';
}

function summary(vm: VmEntry): VmSummary {
  return { id: vm.id, name: vm.config.name, state: vm.lifecycle.state, harts: vm.config.harts, memoryMiB: vm.config.memoryMiB };
}

function details(vm: VmEntry): VmDetails {
  return { id: vm.id, state: vm.lifecycle.state, config: vm.config, crashReason: vm.lifecycle.crashReason, pid: vm.process?.pid ?? null };
}

function describeStop(stop: GuestStop): string {
  switch (stop.kind) {
    case 'poweroff':
      return stop.failed ? `the guest powered off reporting failure (code ${stop.code})` : 'the guest powered off';
    case 'htif-exit':
      return `the guest exited through HTIF with code ${stop.code}`;
    case 'hang':
      return `the guest hung: ${stop.reason}`;
  }
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value).slice(0, 200);
  } catch {
    return String(value).slice(0, 200);
  }
}
