/**
 * Schemas of the VM library's own files (core/hypervisor reads them): vms/<id>/vm.json,
 * vms/<id>/state.json and the templates in resources/templates/*.json. Kept here, beside the
 * configuration schema they embed, so every file is validated with the API's schema.
 */
import { z } from 'zod';
import { vmConfigPatchSchema, vmConfigSchema, vmIdSchema } from './vm-config.js';

export const VM_FILE_VERSION = 1;

/** vms/<id>/vm.json */
export const vmFileSchema = z.strictObject({
  formatVersion: z.literal(VM_FILE_VERSION),
  id: vmIdSchema,
  createdAt: z.string(),
  config: vmConfigSchema,
});
export type VmFile = z.output<typeof vmFileSchema>;

/** vms/<id>/state.json: the last settled state, which survives a host restart. */
export const vmStateFileSchema = z.object({
  state: z.enum(['created', 'stopped', 'crashed']),
  crashReason: z.string().nullable().default(null),
});
export type VmStateFile = z.output<typeof vmStateFileSchema>;

/** A template's name and description in one language (what the New VM wizard shows). */
const templateTextSchema = z.strictObject({ name: z.string().min(1), description: z.string() });

/** resources/templates/<id>.json */
export const vmTemplateSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/),
  name: z.string().min(1),
  description: z.string(),
  /** Configuration fields the template sets (anything but name and notes). */
  config: vmConfigPatchSchema.omit({ name: true, notes: true }),
  /** Fields the user must supply on top ('kernel'). */
  needs: z.array(z.enum(['kernel'])).default([]),
  /** Host path → Debian package providing it. */
  packages: z.record(z.string(), z.string()).default({}),
  /**
   * Disk images every VM made from the template gets its own copy of, in vms/<id>/disks/ (the
   * pristine image is never written). Paths here and in `config` may start with `${guests}`: the
   * host's guest cache (~/.cache/riscstation/guests), where `npm run guests` builds the guests.
   */
  copyDisks: z.array(z.string().min(1)).default([]),
  /** How to make the files under `${guests}` when they are missing, for the message that says so. */
  guestBuild: z.strictObject({ command: z.string().min(1), duration: z.string().min(1) }).optional(),
  /** The name and description in the UI's other languages (English is `name` / `description`). */
  translations: z.strictObject({ ja: templateTextSchema.optional() }).default({}),
});
export type VmTemplate = z.output<typeof vmTemplateSchema>;

/** A zod error as one line for a user ("✖ at most 8 harts per VM → at config.harts; ..."). */
export function explainSchemaError(error: z.ZodError): string {
  return z.prettifyError(error).replace(/\n/g, '; ');
}
