/**
 * The commands every front end sends: one closed union, discriminated by `type` (after
 * Firecracker's rpc_interface). Each comment states when the command is allowed; a command sent
 * in the wrong lifecycle state is refused with `invalid-state` and a reason, never ignored.
 *
 * `commandSchema` validates a command where it enters the host (WebSocket message, Electron IPC);
 * `resultSchemas` validates each answer where it enters a client.
 */
import { z } from 'zod';
import {
  vmConfigPatchSchema,
  vmConfigSchema,
  vmDetailsSchema,
  vmIdSchema,
  vmStateSchema,
  vmSummarySchema,
} from './vm-config.js';

/**
 * The consoles of a VM, each a byte stream with its own scrollback: `serial` is the virt board's
 * ns16550a UART (Linux's ttyS0), `hvc0` the virtio-console every VM gets in the first virtio-mmio
 * slot after its disks (Linux's hvc0; see `vmConsoles`).
 */
export const CONSOLE_NAMES = ['serial', 'hvc0'] as const;
export type ConsoleName = (typeof CONSOLE_NAMES)[number];
export const consoleNameSchema = z.enum(CONSOLE_NAMES, {
  error: (issue) => `no console ${JSON.stringify(issue.input)}: a VM's consoles are ${CONSOLE_NAMES.join(' and ')}`,
});

/** Key combinations `vm.sendKeys` presses on a VM's keyboard (its virtio-input device). */
export const KEY_COMBOS = ['ctrl-alt-del'] as const;
export type KeyCombo = (typeof KEY_COMBOS)[number];

/** Most virtio-mmio slots on the virt board (disks take the first ones, hvc0 the next). */
const VIRTIO_SLOTS = 8;

/** The consoles a VM with this many disks has: hvc0 needs a free virtio-mmio slot after the disks. */
export function vmConsoles(diskCount: number): ConsoleName[] {
  return diskCount < VIRTIO_SLOTS ? ['serial', 'hvc0'] : ['serial'];
}

/** A position in a console's byte stream: bytes written to it since the host opened the VM. */
const streamOffsetSchema = z.number().int().nonnegative();

/** Bytes as base64 (console traffic is bytes, not text: a UTF-8 sequence may span two chunks). */
export const base64Schema = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, 'expected base64 data');

const vmTarget = { id: vmIdSchema };

/**
 * A long operation's id, chosen by the client (a random string): `operation.progress` events
 * carry it, and `operation.cancel` names it.
 */
export const operationIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,64}$/, 'an operation id is 1-64 letters, digits, dashes or underscores');

export const commandSchemas = {
  /** Host facts for the status bar and about box. Always allowed. */
  'host.info': z.strictObject({ type: z.literal('host.info') }),

  /** What this host is doing: pid, data folder, running VMs and memory admission numbers. Always allowed. */
  'host.status': z.strictObject({ type: z.literal('host.status') }),
  /** Stops the host: running VMs are powered off first (stop, then hard stop after the timeout). */
  'host.stop': z.strictObject({ type: z.literal('host.stop') }),
  /** The VM templates (resources/templates) and which of their files are missing on this host. */
  'template.list': z.strictObject({ type: z.literal('template.list') }),
  /**
   * Builds a template's guest images (a template with `guestBuild`: the Linux guest, about an hour
   * from scratch, seconds when up to date). A long operation: `operation.progress` events with
   * `operationId` carry `step`/`steps`/`detail`; `operation.cancel` stops it (error `cancelled`;
   * what was finished is kept and the next build resumes). Answers when the build ends; the
   * template is then usable (template.list reports nothing missing). One build at a time
   * (`conflict` otherwise); `failed` with the build's last log lines when it fails; `not-implemented`
   * when this installation has no build script (a packaged app: build from the source folder).
   */
  'template.build': z.strictObject({
    type: z.literal('template.build'),
    id: z.string().min(1).max(64),
    operationId: operationIdSchema.optional(),
  }),

  /** The VM library, in creation order. Always allowed. */
  'vm.list': z.strictObject({ type: z.literal('vm.list') }),
  /** One VM with its configuration. */
  'vm.get': z.strictObject({ type: z.literal('vm.get'), ...vmTarget }),
  /** Creates a VM (state `created`); the host chooses the id. */
  'vm.create': z.strictObject({
    type: z.literal('vm.create'),
    config: vmConfigSchema,
    /**
     * The template the configuration came from. A template with disks of its own (the Linux root
     * disk) gives the VM a private copy of each under vms/<id>/disks/: a long operation that sends
     * `operation.progress` events with `operationId` and stops at `operation.cancel` (leaving nothing).
     */
    template: z.string().min(1).max(64).optional(),
    operationId: operationIdSchema.optional(),
  }),
  /** Changes configuration. `name` and `notes` any time; everything else only when not running or paused. */
  'vm.update': z.strictObject({ type: z.literal('vm.update'), ...vmTarget, patch: vmConfigPatchSchema }),
  /** Deletes a VM and its files. Only when created, stopped or crashed. */
  'vm.delete': z.strictObject({
    type: z.literal('vm.delete'),
    ...vmTarget,
    /** Keep the VM's own disks (vms/<id>/disks/): they move to <data>/kept-disks/<id>-<time>/ (the answer's `keptDisks`). */
    keepDisks: z.boolean().optional(),
  }),
  /** Cancels a long operation (a `vm.create` copying disks); `cancelled` is false when none runs with that id. */
  'operation.cancel': z.strictObject({ type: z.literal('operation.cancel'), operationId: operationIdSchema }),

  /** Live counters of a VM (instructions per second, CPU %, RSS, uptime). Any state; zero when not running. */
  'vm.stats': z.strictObject({ type: z.literal('vm.stats'), ...vmTarget }),

  /** Powers on. Only when created, stopped or crashed. */
  'vm.start': z.strictObject({ type: z.literal('vm.start'), ...vmTarget }),
  /** Asks the guest to power off (ACPI-like request via syscon); the VM becomes stopped when it does. Only when running. */
  'vm.stop': z.strictObject({ type: z.literal('vm.stop'), ...vmTarget }),
  /** Pulls the plug: stops at once without asking the guest. Only when running or paused. */
  'vm.hardStop': z.strictObject({ type: z.literal('vm.hardStop'), ...vmTarget }),
  /** Resets every hart and device, as the reset button. Only when running or paused. */
  'vm.reset': z.strictObject({ type: z.literal('vm.reset'), ...vmTarget }),
  /**
   * Presses a key combination on the VM's keyboard (its virtio-input device): 'ctrl-alt-del'.
   * Linux reboots through init (busybox: its `ctrlaltdel` action). Only when running or paused;
   * `delivered` is false when the guest has no driver for the device (firmware, bare metal).
   */
  'vm.sendKeys': z.strictObject({ type: z.literal('vm.sendKeys'), ...vmTarget, keys: z.enum(KEY_COMBOS) }),
  /** Freezes all harts (time stops for the guest). Only when running. */
  'vm.pause': z.strictObject({ type: z.literal('vm.pause'), ...vmTarget }),
  /** Continues a paused VM. Only when paused. */
  'vm.resume': z.strictObject({ type: z.literal('vm.resume'), ...vmTarget }),

  /**
   * Subscribes this connection to a console's output (`console.output` events for this VM and
   * console only), starting with the console's recent scrollback. The answer's `offset` is the
   * stream position just after the scrollback; each event carries the position of its first byte,
   * so a client drops what it already has. Attaching twice from one connection is counted (one
   * event stream, ended by as many detaches). Allowed in any state; output flows while the VM runs.
   */
  'console.attach': z.strictObject({
    type: z.literal('console.attach'),
    vmId: vmIdSchema,
    console: consoleNameSchema.default('serial'),
  }),
  /** Ends a `console.attach` (closing the connection ends all of them). */
  'console.detach': z.strictObject({
    type: z.literal('console.detach'),
    vmId: vmIdSchema,
    console: consoleNameSchema.default('serial'),
  }),
  /** A console's recent output without subscribing to it. Allowed in any state. */
  'console.scrollback': z.strictObject({
    type: z.literal('console.scrollback'),
    vmId: vmIdSchema,
    console: consoleNameSchema.default('serial'),
  }),
  /** Types bytes into a console (keyboard input). Only when running or paused. */
  'console.input': z.strictObject({
    type: z.literal('console.input'),
    vmId: vmIdSchema,
    console: consoleNameSchema.default('serial'),
    data: base64Schema.max(64 * 1024 * 4 / 3 + 4, 'console input is at most 64 KiB per command'),
  }),
  /**
   * Sends a break condition on a serial line (the UART sees LSR.BI with a zero byte; Linux reads it
   * as a break, or as the start of a magic SysRq with CONFIG_MAGIC_SYSRQ_SERIAL). Only `serial`
   * has a line that can break (virtio-console has no break signal). Only when running or paused.
   */
  'console.break': z.strictObject({
    type: z.literal('console.break'),
    vmId: vmIdSchema,
    console: consoleNameSchema.default('serial'),
  }),
} as const;

export type CommandType = keyof typeof commandSchemas;
export const COMMAND_TYPES = Object.keys(commandSchemas) as CommandType[];

export const commandSchema = z.discriminatedUnion('type', [
  commandSchemas['host.info'],
  commandSchemas['host.status'],
  commandSchemas['host.stop'],
  commandSchemas['template.list'],
  commandSchemas['template.build'],
  commandSchemas['vm.stats'],
  commandSchemas['vm.list'],
  commandSchemas['vm.get'],
  commandSchemas['vm.create'],
  commandSchemas['vm.update'],
  commandSchemas['vm.delete'],
  commandSchemas['operation.cancel'],
  commandSchemas['vm.start'],
  commandSchemas['vm.stop'],
  commandSchemas['vm.hardStop'],
  commandSchemas['vm.reset'],
  commandSchemas['vm.sendKeys'],
  commandSchemas['vm.pause'],
  commandSchemas['vm.resume'],
  commandSchemas['console.attach'],
  commandSchemas['console.detach'],
  commandSchemas['console.scrollback'],
  commandSchemas['console.input'],
  commandSchemas['console.break'],
]);

/** A command as the host sees it after validation (defaults filled in). */
export type Command = z.output<typeof commandSchema>;
/** A command as a client writes it (defaulted fields may be omitted). */
export type CommandInput = z.input<typeof commandSchema>;
/** The command of one type. */
export type CommandOf<T extends CommandType> = Extract<Command, { type: T }>;
export type CommandInputOf<T extends CommandType> = Extract<CommandInput, { type: T }>;

export const hostInfoSchema = z.object({
  product: z.object({ name: z.string(), version: z.string() }),
  /** Node's `process.platform` and `process.arch` ('linux', 'x64', ...). */
  platform: z.string(),
  arch: z.string(),
  cpuCount: z.number().int().positive(),
  totalMemoryBytes: z.number().int().nonnegative(),
  freeMemoryBytes: z.number().int().nonnegative(),
  nodeVersion: z.string(),
  /** Null outside Electron (`riscstation serve`, the CLI). */
  electronVersion: z.string().nullable(),
  /** The folder holding the VM library. */
  dataDir: z.string(),
  /** Which front end serves this connection. */
  frontEnd: z.enum(['web', 'electron', 'cli']),
});
export type HostInfo = z.infer<typeof hostInfoSchema>;

export const hostStatusSchema = z.object({
  /** The host process. */
  pid: z.number().int(),
  dataDir: z.string(),
  uptimeSeconds: z.number().nonnegative(),
  vms: z.object({ total: z.number().int(), running: z.number().int() }),
  /** Admission control: guest RAM of running VMs against the limit (a share of host memory). */
  memory: z.object({
    runningMiB: z.number().int(),
    limitMiB: z.number().int(),
    hostTotalMiB: z.number().int(),
    limitPercent: z.number(),
  }),
});
export type HostStatus = z.infer<typeof hostStatusSchema>;

export const vmStatsSchema = z.object({
  id: vmIdSchema,
  state: vmStateSchema,
  harts: z.number().int(),
  /** OS process of the VM, null when not running. */
  pid: z.number().int().nullable(),
  /** Instructions retired by all harts since the VM started. */
  instructionsRetired: z.number().nonnegative(),
  /** Retired per second over the last sample interval (about a second). */
  instructionsPerSecond: z.number().nonnegative(),
  /** CPU used by the VM's process, percent of one host core. */
  cpuPercent: z.number().nonnegative(),
  rssBytes: z.number().nonnegative(),
  uptimeSeconds: z.number().nonnegative(),
  cpuCapPercent: z.number(),
  /** How the VM's harts run: a thread each ('threaded') or all on the device thread ('inline'); null when not running. */
  scheduler: z.enum(['threaded', 'inline']).nullable().optional(),
});
export type VmStats = z.infer<typeof vmStatsSchema>;

export const templateInfoSchema = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  /** The configuration fields the template sets. */
  config: vmConfigPatchSchema,
  /** Fields the user must add ('kernel'). */
  needs: z.array(z.string()),
  /** Host files the template refers to that are missing, with the Debian package that provides each. */
  missing: z.array(
    z.object({
      path: z.string(),
      package: z.string().nullable(),
      /** What to do when no package provides it (a guest built by `npm run guests`). */
      hint: z.string().optional(),
    }),
  ),
  /** Disk images each VM made from the template gets its own copy of (vm.create with `template`). */
  copyDisks: z.array(z.string()).optional(),
  /** Name and description by UI language ('ja'); English is `name` / `description`. */
  translations: z.record(z.string(), z.object({ name: z.string(), description: z.string() })).optional(),
  /** How to build the template's guest when its files are missing (`npm run guests`, about an hour). */
  guestBuild: z.object({ command: z.string(), duration: z.string() }).optional(),
  /**
   * The build of this template's guest under way on the host (template.build from any client), if
   * any: its `operation.progress` events carry `operationId`, and `operation.cancel` stops it.
   */
  building: z.object({ operationId: operationIdSchema, elapsedSeconds: z.number().nonnegative() }).optional(),
});
export type TemplateInfo = z.infer<typeof templateInfoSchema>;

const powerResultSchema = z.object({ id: vmIdSchema, state: vmStateSchema });
const consoleResultSchema = z.object({
  vmId: vmIdSchema,
  console: consoleNameSchema,
  /** console.attach, console.scrollback: the console's recent output (bounded scrollback), base64. */
  scrollback: base64Schema.optional(),
  /** console.attach, console.scrollback: the stream position just after `scrollback`. */
  offset: streamOffsetSchema.optional(),
});

/** The answer to each command. */
export const resultSchemas = {
  'host.info': hostInfoSchema,
  'host.status': hostStatusSchema,
  'host.stop': z.object({ stopping: z.boolean() }),
  'template.list': z.array(templateInfoSchema),
  'template.build': z.object({
    id: z.string(),
    /** True when nothing had to be built (the cached guest matched the recipe). */
    upToDate: z.boolean(),
    /** The build's output folder (null if the build did not say). */
    dir: z.string().nullable(),
    /** The template after the build (its `missing` is empty when the build made everything). */
    template: templateInfoSchema,
  }),
  'vm.stats': vmStatsSchema,
  'vm.list': z.array(vmSummarySchema),
  'vm.get': vmDetailsSchema,
  'vm.create': vmDetailsSchema,
  'vm.update': vmDetailsSchema,
  'vm.delete': z.object({
    id: vmIdSchema,
    /** With `keepDisks`: the folder the VM's disks were moved to (null: it had none of its own). */
    keptDisks: z.string().nullable().optional(),
  }),
  'operation.cancel': z.object({ operationId: operationIdSchema, cancelled: z.boolean() }),
  'vm.start': powerResultSchema,
  'vm.stop': powerResultSchema,
  'vm.hardStop': powerResultSchema,
  'vm.reset': powerResultSchema,
  'vm.sendKeys': z.object({ id: vmIdSchema, delivered: z.boolean() }),
  'vm.pause': powerResultSchema,
  'vm.resume': powerResultSchema,
  'console.attach': consoleResultSchema,
  'console.detach': consoleResultSchema,
  'console.scrollback': consoleResultSchema,
  'console.input': consoleResultSchema,
  'console.break': consoleResultSchema,
} as const satisfies Record<CommandType, z.ZodType>;

export type ResultOf<T extends CommandType> = z.output<(typeof resultSchemas)[T]>;

/**
 * Validates an untrusted command. Unknown `type`s get a message listing the known ones; schema
 * failures get zod's path-by-path explanation.
 */
export function parseCommand(input: unknown): { ok: true; command: Command } | { ok: false; message: string } {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return { ok: false, message: 'a command is a JSON object with a "type", like {"type":"host.info"}' };
  }
  const type = (input as { type?: unknown }).type;
  if (typeof type !== 'string' || !(COMMAND_TYPES as string[]).includes(type)) {
    const shown = typeof type === 'string' ? `'${type.slice(0, 64)}'` : 'missing';
    return { ok: false, message: `unknown command type ${shown}; known: ${COMMAND_TYPES.join(', ')}` };
  }
  const parsed = commandSchema.safeParse(input);
  if (!parsed.success) return { ok: false, message: `invalid ${type} command: ${z.prettifyError(parsed.error)}` };
  return { ok: true, command: parsed.data };
}
