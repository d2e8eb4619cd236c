/**
 * A VM's configuration (first cut): what `vm.create` takes, `vm.update` patches and
 * `vms/<id>/vm.json` stores. The hypervisor validates it again when it reads it from disk.
 */
import { z } from 'zod';

/** A VM id: safe as a folder name on every OS (`vms/<id>/`). */
export const vmIdSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'a VM id is 1-63 lowercase letters, digits or dashes');
export type VmId = z.infer<typeof vmIdSchema>;

/**
 * The firmware the VM boots first (mrom jumps to it at 0x8000_0000):
 * `default` is the bundled OpenSBI fw_dynamic, `none` boots the kernel directly in M-mode,
 * `file` is a raw binary or ELF on the host.
 */
export const firmwareSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('default') }),
  z.strictObject({ kind: z.literal('none') }),
  z.strictObject({ kind: z.literal('file'), path: z.string().min(1) }),
]);
export type Firmware = z.infer<typeof firmwareSchema>;

export const diskSchema = z.strictObject({
  /** Image path on the host; relative paths are relative to the VM's folder. */
  path: z.string().min(1),
  format: z.enum(['raw', 'qcow2']),
  readOnly: z.boolean().default(false),
});
export type Disk = z.infer<typeof diskSchema>;

/** The editable fields, without defaults (so a patch never resets a field it does not name). */
const fields = {
  name: z.string().trim().min(1, 'a VM needs a name').max(64, 'a VM name is at most 64 characters'),
  notes: z.string().max(10_000),
  /** Harts (cores). The virt board's FDT and PLIC contexts are generated for this many. */
  harts: z.number().int().min(1, 'a VM needs at least 1 hart').max(8, 'at most 8 harts per VM'),
  /** Guest RAM at 0x8000_0000. */
  memoryMiB: z.number().int().min(16, 'at least 16 MiB of memory').max(2048, 'at most 2048 MiB of memory'),
  firmware: firmwareSchema,
  /** Kernel image (Linux `Image` or ELF) loaded at RAM base + 2 MiB; null: none. */
  kernel: z.string().min(1).nullable(),
  /** Initial ramdisk; null: none. */
  initrd: z.string().min(1).nullable(),
  /** Kernel command line, placed in the FDT's /chosen/bootargs. */
  cmdline: z.string().max(4096),
  disks: z.array(diskSchema).max(8, 'at most 8 disks (one per virtio-mmio slot)'),
  /** Share of one host core each hart may use, 1..100 (100: no cap). */
  cpuCapPercent: z.number().int().min(1).max(100),
};

/** A complete VM configuration; omitted fields take their defaults. */
export const vmConfigSchema = z.strictObject({
  name: fields.name,
  notes: fields.notes.default(''),
  harts: fields.harts.default(1),
  memoryMiB: fields.memoryMiB.default(256),
  firmware: fields.firmware.default({ kind: 'default' }),
  kernel: fields.kernel.default(null),
  initrd: fields.initrd.default(null),
  cmdline: fields.cmdline.default(''),
  disks: fields.disks.default([]),
  cpuCapPercent: fields.cpuCapPercent.default(100),
});
/** A VM configuration with every field present (after defaults). */
export type VmConfig = z.output<typeof vmConfigSchema>;
/** What a client sends to `vm.create`: only `name` is required. */
export type VmConfigInput = z.input<typeof vmConfigSchema>;

/** A partial configuration for `vm.update`: named fields change, the rest stay. */
export const vmConfigPatchSchema = z.strictObject(fields).partial();
export type VmConfigPatch = z.infer<typeof vmConfigPatchSchema>;

/**
 * A VM's lifecycle state (core/vm/lifecycle.ts):
 * created → starting → running ⇄ paused → stopping → stopped, and crashed (with a reason) from
 * any state with a process; stopped and crashed VMs can start again.
 */
export const VM_STATES = ['created', 'starting', 'running', 'paused', 'stopping', 'stopped', 'crashed'] as const;
export const vmStateSchema = z.enum(VM_STATES);
export type VmState = z.infer<typeof vmStateSchema>;

/** One row of the VM library (`vm.list`). */
export const vmSummarySchema = z.object({
  id: vmIdSchema,
  name: z.string(),
  state: vmStateSchema,
  harts: z.number().int(),
  memoryMiB: z.number().int(),
  /** Set when the VM's vm.json cannot be read or is invalid: what is wrong, for the user to fix. */
  error: z.string().optional(),
});
export type VmSummary = z.infer<typeof vmSummarySchema>;

/** A VM with its whole configuration (`vm.get`, `vm.create`, `vm.update`). */
export const vmDetailsSchema = z.object({
  id: vmIdSchema,
  state: vmStateSchema,
  config: vmConfigSchema,
  /** Why the VM crashed (state `crashed`), else null. */
  crashReason: z.string().nullable().optional(),
  /** The OS process id of the running VM, else null. */
  pid: z.number().int().nullable().optional(),
});
export type VmDetails = z.infer<typeof vmDetailsSchema>;
