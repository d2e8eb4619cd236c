/**
 * `riscstation vm <action>`: the VM library and power actions, over the running host's API.
 * `vm start` starts a host in the background when none runs.
 */
import { resolve } from 'node:path';
import {
  CONSOLE_NAMES,
  ConsoleFollower,
  consoleNameSchema,
  type ConsoleName,
  ApiError,
  base64ToBytes,
  bytesToBase64,
  type ApiClient,
  type TemplateInfo,
  type VmConfigInput,
  type VmDetails,
  type VmStats,
} from '../../../api/index.js';
import { parseSize } from '../../../machine/loaders.js';
import { connectHost, type HostConnection } from '../host-connection.js';
import { EXIT_FAILURE, EXIT_OK } from '../run-cli.js';
import { UsageError, type CliCommand, type CliIo, type CliValues } from '../registry.js';

const ACTIONS = ['create', 'list', 'show', 'start', 'stop', 'pause', 'resume', 'reset', 'ctrl-alt-del', 'delete', 'console', 'stats'] as const;
type Action = (typeof ACTIONS)[number];

const MiB = 1024 * 1024;

/** Ctrl-] ends `vm console` (as telnet and virsh console). */
const DETACH_KEY = 0x1d;

const str = (values: CliValues, name: string): string | undefined => values[name] as string | undefined;

function wholeNumber(text: string | undefined, option: string, min: number, max: number): number | undefined {
  if (text === undefined) return undefined;
  const n = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!(n >= min && n <= max)) throw new UsageError(`${option} must be a whole number from ${min} to ${max}, not '${text}'`);
  return n;
}

function memoryMiB(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  let bytes: bigint;
  try {
    bytes = parseSize(text);
  } catch (error) {
    throw new UsageError(`--mem: ${(error as Error).message}`);
  }
  if (bytes % (1024n * 1024n) !== 0n) throw new UsageError(`--mem ${text}: RAM must be a whole number of MiB`);
  return Number(bytes / (1024n * 1024n));
}

/** The VM configuration `vm create` sends, from a template and/or the flags. */
function createConfig(name: string, values: CliValues, templates: TemplateInfo[]): VmConfigInput {
  const path = (option: string): string | undefined => {
    const v = str(values, option);
    return v === undefined ? undefined : resolve(v);
  };
  const templateId = str(values, 'template');
  let config: VmConfigInput = { name };
  if (templateId !== undefined) {
    const template = templates.find((t) => t.id === templateId || t.name === templateId);
    if (!template) throw new UsageError(`no template '${templateId}'; templates: ${templates.map((t) => t.id).join(', ')} (riscstation template list)`);
    const { name: _n, notes: _o, ...fields } = template.config;
    config = { ...fields, name };
    if (template.needs.includes('kernel') && str(values, 'kernel') === undefined) {
      throw new UsageError(`the template '${template.name}' needs --kernel FILE (the program to run, an ELF for riscv64)`);
    }
  } else if (str(values, 'bios') === undefined && str(values, 'kernel') === undefined) {
    throw new UsageError('give --template ID, or --bios FILE and/or --kernel FILE');
  }
  const bios = str(values, 'bios');
  if (bios !== undefined) {
    config.firmware = bios === 'none' ? { kind: 'none' } : bios === 'default' ? { kind: 'default' } : { kind: 'file', path: resolve(bios) };
  } else if (templateId === undefined) {
    config.firmware = { kind: 'none' };
  }
  const kernel = path('kernel');
  if (kernel !== undefined) config.kernel = kernel;
  const initrd = path('initrd');
  if (initrd !== undefined) config.initrd = initrd;
  const append = str(values, 'append');
  if (append !== undefined) config.cmdline = append;
  const disks = (values.disk as string[] | undefined) ?? [];
  if (disks.length > 0) config.disks = disks.map((d) => ({ path: resolve(d), format: d.endsWith('.qcow2') ? 'qcow2' : 'raw' }));
  const mem = memoryMiB(str(values, 'mem'));
  if (mem !== undefined) config.memoryMiB = mem;
  const smp = wholeNumber(str(values, 'smp'), '--smp', 1, 8);
  if (smp !== undefined) config.harts = smp;
  const cap = wholeNumber(str(values, 'cpu-cap'), '--cpu-cap', 1, 100);
  if (cap !== undefined) config.cpuCapPercent = cap;
  const notes = str(values, 'notes');
  if (notes !== undefined) config.notes = notes;
  return config;
}

/**
 * `vm create`: a template with disks of its own (Linux's root disk) makes the host copy them, a
 * long operation: its progress goes to stderr, and Ctrl-C cancels it (the host keeps nothing).
 */
async function createWithProgress(api: ApiClient, config: VmConfigInput, template: TemplateInfo | undefined, io: CliIo): Promise<VmDetails> {
  if (!template) return api.vmCreate(config);
  const operationId = `cli-${process.pid}-${Date.now().toString(36)}`;
  const tty = process.stderr.isTTY === true;
  let shown = '';
  const offEvents = api.onEvent((event) => {
    if (event.type !== 'operation.progress' || event.operationId !== operationId) return;
    const pct = event.totalBytes > 0 ? Math.floor((100 * event.doneBytes) / event.totalBytes) : 100;
    const line = `${event.what}: ${pct}% (${(event.doneBytes / MiB).toFixed(0)} of ${(event.totalBytes / MiB).toFixed(0)} MiB)`;
    if (tty) process.stderr.write(`\r${line}\x1b[K`);
    else if (pct === 100 || shown === '') io.err(line);
    shown = line;
  });
  const onAbort = () => {
    api.operationCancel(operationId).catch(() => {});
  };
  io.signal.addEventListener('abort', onAbort, { once: true });
  try {
    return await api.call({ type: 'vm.create', config, template: template.id, operationId });
  } finally {
    io.signal.removeEventListener('abort', onAbort);
    offEvents();
    if (tty && shown !== '') process.stderr.write('\n');
  }
}

/** Accepts a VM's id or its exact name. */
async function vmId(api: ApiClient, given: string): Promise<string> {
  const list = await api.vmList();
  if (list.some((vm) => vm.id === given)) return given;
  const byName = list.filter((vm) => vm.name === given);
  if (byName.length === 1) return byName[0].id;
  throw new ApiError('not-found', `no VM '${given}' (riscstation vm list shows the ids)`);
}

function table(rows: string[][]): string[] {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join('  ').trimEnd());
}

function formatStats(s: VmStats): string[] {
  const mips = s.instructionsPerSecond / 1e6;
  return [
    `VM ${s.id}: ${s.state}, ${s.harts} hart(s)${s.pid !== null ? `, pid ${s.pid}` : ''}`,
    `  instructions  ${s.instructionsRetired.toLocaleString('en')} retired, ${mips.toFixed(2)} MIPS`,
    `  CPU           ${s.cpuPercent.toFixed(1)}% of a core (cap ${s.cpuCapPercent}%)`,
    `  memory (RSS)  ${(s.rssBytes / (1024 * 1024)).toFixed(1)} MiB`,
    `  uptime        ${s.uptimeSeconds.toFixed(1)} s`,
  ];
}

/** `--stream`: which console `vm console` attaches to. */
function consoleStream(value: unknown): ConsoleName {
  if (value === undefined) return 'serial';
  const parsed = consoleNameSchema.safeParse(value);
  if (!parsed.success) throw new UsageError(`--stream is one of ${CONSOLE_NAMES.join(', ')}, not '${String(value)}'`);
  return parsed.data;
}

/** `vm console`: scrollback, then live output; stdin goes to the guest; Ctrl-] detaches. */
async function attachConsole(conn: HostConnection, id: string, stream: ConsoleName, io: CliIo): Promise<number> {
  const { api } = conn;
  const stdout = process.stdout;
  let finished = false;
  let settle: (code: number) => void = () => {};
  const done = new Promise<number>((r) => (settle = r));
  const finish = (code: number) => {
    if (finished) return;
    finished = true;
    settle(code);
  };
  const follower = new ConsoleFollower((bytes) => stdout.write(bytes));
  const offEvents = api.onEvent((event) => {
    if (event.type === 'console.output' && event.vmId === id && event.console === stream) follower.output(event.offset, base64ToBytes(event.data));
    if (event.type === 'vm.stateChanged' && event.id === id && (event.state === 'stopped' || event.state === 'crashed')) {
      io.err(`\r\n[riscstation: VM ${id} ${event.state}${event.reason ? `: ${event.reason}` : ''}]`);
      finish(event.state === 'crashed' ? EXIT_FAILURE : EXIT_OK);
    }
  });
  api.onClose((reason) => {
    if (finished) return;
    io.err(`\r\n[riscstation: lost the host: ${reason}]`);
    finish(EXIT_FAILURE);
  });
  const attached = await api.consoleAttach(id, stream);
  follower.attached(base64ToBytes(attached.scrollback ?? ''), attached.offset ?? 0);
  const stdin = process.stdin;
  const raw = stdin.isTTY === true;
  if (raw) {
    stdin.setRawMode(true);
    io.err(`[riscstation: attached to ${id} (${stream}); Ctrl-] detaches]\r`);
  }
  const onData = (chunk: Buffer) => {
    const bytes = new Uint8Array(chunk);
    const cut = raw ? bytes.indexOf(DETACH_KEY) : -1;
    const send = cut >= 0 ? bytes.subarray(0, cut) : bytes;
    if (send.length > 0) api.consoleInput(id, bytesToBase64(send), stream).catch((error: unknown) => io.err(`\r\n[riscstation: ${String((error as Error).message)}]`));
    if (cut >= 0) finish(EXIT_OK);
  };
  stdin.on('data', onData);
  stdin.resume();
  const onAbort = () => finish(EXIT_OK);
  io.signal.addEventListener('abort', onAbort, { once: true });
  const code = await done;
  io.signal.removeEventListener('abort', onAbort);
  stdin.off('data', onData);
  if (raw) stdin.setRawMode(false);
  stdin.pause();
  offEvents();
  await api.consoleDetach(id, stream).catch(() => {});
  return code;
}

async function runAction(action: Action, args: string[], values: CliValues, io: CliIo): Promise<number> {
  const json = values.json === true;
  const out = (value: unknown) => io.out(JSON.stringify(value, null, 2));
  const needId = () => {
    if (args.length !== 1) throw new UsageError(`vm ${action} takes one VM id (or name)`);
    return args[0];
  };
  if (action === 'create' && args.length !== 1) throw new UsageError('vm create takes the new VM’s NAME');
  if (action === 'list' && args.length !== 0) throw new UsageError('vm list takes no arguments');
  if (action !== 'create' && action !== 'list') needId();

  const conn = await connectHost({ autostart: action === 'start' });
  if (conn.started) io.err(`started a RiscStation host in the background (pid ${conn.host.pid}); 'riscstation host stop' stops it`);
  const { api } = conn;
  try {
    switch (action) {
      case 'create': {
        const templates = str(values, 'template') !== undefined ? await api.call({ type: 'template.list' }) : [];
        const config = createConfig(args[0], values, templates);
        const template = templates.find((t) => t.id === str(values, 'template') || t.name === str(values, 'template'));
        const vm = await createWithProgress(api, config, template, io);
        if (json) out(vm);
        else {
          io.out(`created VM '${vm.config.name}' (id ${vm.id}): ${vm.config.harts} hart(s), ${vm.config.memoryMiB} MiB`);
          for (const d of vm.config.disks) io.out(`  disk ${d.path}`);
        }
        return EXIT_OK;
      }
      case 'list': {
        const list = await api.vmList();
        if (json) {
          out(list);
          return EXIT_OK;
        }
        if (list.length === 0) {
          io.out("no VMs yet: create one with 'riscstation vm create NAME --template ID'");
          return EXIT_OK;
        }
        const rows = [['ID', 'NAME', 'STATE', 'HARTS', 'MEMORY']];
        for (const vm of list) {
          rows.push(vm.error ? [vm.id, '-', 'error', '-', vm.error] : [vm.id, vm.name, vm.state, String(vm.harts), `${vm.memoryMiB} MiB`]);
        }
        for (const line of table(rows)) io.out(line);
        return EXIT_OK;
      }
      case 'show': {
        const vm = await api.vmGet(await vmId(api, args[0]));
        if (json) {
          out(vm);
          return EXIT_OK;
        }
        const c = vm.config;
        const fw = c.firmware.kind === 'file' ? c.firmware.path : c.firmware.kind;
        io.out(`${c.name} (id ${vm.id})`);
        io.out(`  state     ${vm.state}${vm.pid ? ` (pid ${vm.pid})` : ''}${vm.crashReason ? `: ${vm.crashReason}` : ''}`);
        io.out(`  harts     ${c.harts}`);
        io.out(`  memory    ${c.memoryMiB} MiB`);
        io.out(`  firmware  ${fw}`);
        io.out(`  kernel    ${c.kernel ?? '-'}`);
        if (c.initrd) io.out(`  initrd    ${c.initrd}`);
        if (c.cmdline) io.out(`  cmdline   ${c.cmdline}`);
        for (const d of c.disks) io.out(`  disk      ${d.path}${d.readOnly ? ' (read-only)' : ''}`);
        io.out(`  cpu cap   ${c.cpuCapPercent}%`);
        if (c.notes) io.out(`  notes     ${c.notes}`);
        return EXIT_OK;
      }
      case 'stats': {
        const stats = await api.call({ type: 'vm.stats', id: await vmId(api, args[0]) });
        if (json) out(stats);
        else for (const line of formatStats(stats)) io.out(line);
        return EXIT_OK;
      }
      case 'console':
        return await attachConsole(conn, await vmId(api, args[0]), consoleStream(values.stream), io);
      case 'ctrl-alt-del': {
        const id = await vmId(api, args[0]);
        const { delivered } = await api.vmSendKeys(id, 'ctrl-alt-del');
        if (json) out({ id, delivered });
        else if (delivered) io.out(`pressed Ctrl+Alt+Del on VM ${id}`);
        else {
          io.err(`VM ${id}: no guest driver listens to its keyboard (firmware or a bare-metal program): Ctrl+Alt+Del was not delivered`);
          return EXIT_FAILURE;
        }
        return EXIT_OK;
      }
      case 'delete': {
        const id = await vmId(api, args[0]);
        const keepDisks = values['keep-disks'] === true;
        const result = await api.call({ type: 'vm.delete', id, keepDisks });
        io.out(`deleted VM ${id}`);
        if (keepDisks) io.out(result.keptDisks ? `its disks are kept in ${result.keptDisks}` : 'it had no disks of its own to keep');
        return EXIT_OK;
      }
      default: {
        const id = await vmId(api, args[0]);
        const result =
          action === 'start' ? await api.vmStart(id)
          : action === 'stop' ? await (values.hard === true ? api.vmHardStop(id) : api.vmStop(id))
          : action === 'pause' ? await api.vmPause(id)
          : action === 'resume' ? await api.vmResume(id)
          : await api.vmReset(id);
        if (json) out(result);
        else io.out(`VM ${result.id} is ${result.state}`);
        return EXIT_OK;
      }
    }
  } finally {
    conn.close();
  }
}

export const command: CliCommand = {
  name: 'vm',
  summary: 'create, list, start, stop, pause, attach to and watch VMs (talks to the running host)',
  usage: `<${ACTIONS.join('|')}> [ID|NAME] [options]`,
  details: [
    'Actions:',
    '  create NAME (--template ID | --bios FILE --kernel FILE [--initrd FILE] [--append STR] [--disk FILE])',
    '              [--mem SIZE] [--smp N] [--cpu-cap PCT] [--notes TEXT]',
    '  list [--json]                   the library (a VM whose vm.json is broken shows its error)',
    '  show ID [--json]                configuration, state, crash reason, process id',
    '  start ID                        power on (starts a host in the background if none runs)',
    '  stop ID [--hard]                ask the guest to power off, hard stop after a timeout; --hard at once',
    '  pause ID | resume ID | reset ID',
    '  ctrl-alt-del ID                 press Ctrl+Alt+Del on the VM\'s keyboard (Linux: init reboots)',
    '  delete ID [--keep-disks]        remove the VM and its files (only when not running); --keep-disks moves',
    '                                  its own disks to <data>/kept-disks/ first',
    '  console ID [--stream S]         attach this terminal to a console: serial (default) or hvc0,',
    '                                  the virtio console (Linux: /dev/hvc0); Ctrl-] detaches',
    '  stats ID [--json]               instructions/s, CPU %, memory, uptime',
    '',
    '  --bios FILE|none|default  M-mode firmware (none: the kernel starts in M-mode)',
    '  --mem SIZE                RAM, e.g. 256M or 1G (16M..2G)',
    '  --smp N                   harts, 1..8',
    '  --cpu-cap PCT             the most CPU the VM may use, percent of one core',
  ].join('\n'),
  options: {
    template: { type: 'string' },
    bios: { type: 'string' },
    kernel: { type: 'string' },
    initrd: { type: 'string' },
    append: { type: 'string' },
    disk: { type: 'string', multiple: true },
    mem: { type: 'string' },
    smp: { type: 'string' },
    'cpu-cap': { type: 'string' },
    notes: { type: 'string' },
    json: { type: 'boolean' },
    hard: { type: 'boolean' },
    'keep-disks': { type: 'boolean' },
    stream: { type: 'string' },
  },
  allowPositionals: true,
  async run({ values, positionals }, io) {
    const [action, ...args] = positionals;
    if (action === undefined) throw new UsageError(`which action? ${ACTIONS.join(', ')}`);
    if (!(ACTIONS as readonly string[]).includes(action)) throw new UsageError(`unknown action '${action}'; actions: ${ACTIONS.join(', ')}`);
    try {
      return await runAction(action as Action, args, values, io);
    } catch (error) {
      if (error instanceof ApiError) {
        io.err(`riscstation vm ${action}: ${error.message}`);
        return EXIT_FAILURE;
      }
      throw error;
    }
  },
};
