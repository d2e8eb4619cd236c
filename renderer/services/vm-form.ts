/**
 * The VM form shared by the New VM wizard and the VM settings editor: what the inputs hold, how it
 * becomes a `vm.create` config or a `vm.update` patch, and validation step by step. Errors are
 * i18n keys under `form.errors.` with parameters, each saying how to fix the input. The host checks
 * again (file kinds, sizes, name conflicts); `fieldOfHostError` points its answer at the input.
 */
import type { Disk, VmConfig, VmConfigInput, VmConfigPatch } from '../../core/api/index.js';

/** The limits of core/api/vm-config.ts (the host refuses anything outside them). */
export const LIMITS = {
  nameMax: 64,
  hartsMin: 1,
  hartsMax: 8,
  memoryMin: 16,
  memoryMax: 2048,
  cpuCapMin: 1,
  cpuCapMax: 100,
  disksMax: 8,
  cmdlineMax: 4096,
} as const;

export type FirmwareKind = 'default' | 'none' | 'file';

export interface DiskForm {
  path: string;
  format: Disk['format'];
  readOnly: boolean;
}

export interface VmForm {
  name: string;
  harts: number;
  memoryMiB: number;
  cpuCapPercent: number;
  firmwareKind: FirmwareKind;
  firmwarePath: string;
  kernel: string;
  initrd: string;
  cmdline: string;
  disks: DiskForm[];
}

/** A message for one input: an i18n key under `form.errors.` and its parameters. */
export interface FieldError {
  key: string;
  params?: Record<string, string | number>;
}

/** Errors by field: `name`, `harts`, `memoryMiB`, `cpuCapPercent`, `firmwarePath`, `kernel`, `initrd`, `cmdline`, `disk.N`. */
export type FormErrors = Record<string, FieldError>;

export type FormStep = 'name' | 'hardware' | 'boot';

/** A form from a whole or partial configuration (a template's, or a VM's own). */
export function formFromConfig(config: VmConfigPatch): VmForm {
  const firmware = config.firmware ?? { kind: 'default' };
  return {
    name: config.name ?? '',
    harts: config.harts ?? 1,
    memoryMiB: config.memoryMiB ?? 256,
    cpuCapPercent: config.cpuCapPercent ?? 100,
    firmwareKind: firmware.kind,
    firmwarePath: firmware.kind === 'file' ? firmware.path : '',
    kernel: config.kernel ?? '',
    initrd: config.initrd ?? '',
    cmdline: config.cmdline ?? '',
    disks: (config.disks ?? []).map((d) => ({ path: d.path, format: d.format, readOnly: d.readOnly ?? false })),
  };
}

const orNull = (text: string): string | null => (text.trim() === '' ? null : text.trim());

/** The `vm.create` configuration a valid form describes. */
export function formToConfig(form: VmForm): VmConfigInput {
  return {
    name: form.name.trim(),
    harts: form.harts,
    memoryMiB: form.memoryMiB,
    cpuCapPercent: form.cpuCapPercent,
    firmware: form.firmwareKind === 'file' ? { kind: 'file', path: form.firmwarePath.trim() } : { kind: form.firmwareKind },
    kernel: orNull(form.kernel),
    initrd: orNull(form.initrd),
    cmdline: form.cmdline,
    disks: form.disks.map((d) => ({ path: d.path.trim(), format: d.format, readOnly: d.readOnly })),
  };
}

/** The `vm.update` patch from `before` to the form: only the fields that changed. */
export function formToPatch(before: VmConfig, form: VmForm): VmConfigPatch {
  const after = formToConfig(form);
  const patch: VmConfigPatch = {};
  const keys = ['name', 'harts', 'memoryMiB', 'cpuCapPercent', 'firmware', 'kernel', 'initrd', 'cmdline', 'disks'] as const;
  for (const key of keys) {
    if (JSON.stringify(after[key]) !== JSON.stringify(before[key])) (patch as Record<string, unknown>)[key] = after[key];
  }
  return patch;
}

/** A host path: absolute on POSIX (/...) or Windows (C:\... or \\server\...). */
export function isAbsolutePath(path: string): boolean {
  return /^(\/|[A-Za-z]:[\\/]|\\\\)/.test(path.trim());
}

function checkInteger(value: number, min: number, max: number, key: string): FieldError | null {
  if (typeof value !== 'number' || !Number.isFinite(value)) return { key: `${key}Missing`, params: { min, max } };
  if (!Number.isInteger(value)) return { key: `${key}Whole`, params: { min, max } };
  if (value < min || value > max) return { key: `${key}Range`, params: { min, max } };
  return null;
}

function checkPath(path: string, required: boolean, what: string): FieldError | null {
  if (path.trim() === '') return required ? { key: 'pathMissing', params: { what } } : null;
  if (!isAbsolutePath(path)) return { key: 'pathRelative', params: { what } };
  return null;
}

/**
 * Validates the inputs of one step. `otherNames` are the names of the other VMs in the library
 * (a name must be unique).
 */
export function validateStep(form: VmForm, step: FormStep, otherNames: readonly string[] = []): FormErrors {
  const errors: FormErrors = {};
  const put = (field: string, error: FieldError | null) => {
    if (error) errors[field] = error;
  };
  if (step === 'name') {
    const name = form.name.trim();
    if (name === '') put('name', { key: 'nameMissing' });
    else if (name.length > LIMITS.nameMax) put('name', { key: 'nameTooLong', params: { max: LIMITS.nameMax } });
    else if (otherNames.some((n) => n.trim().toLocaleLowerCase() === name.toLocaleLowerCase())) put('name', { key: 'nameTaken', params: { name } });
  } else if (step === 'hardware') {
    put('harts', checkInteger(form.harts, LIMITS.hartsMin, LIMITS.hartsMax, 'harts'));
    put('memoryMiB', checkInteger(form.memoryMiB, LIMITS.memoryMin, LIMITS.memoryMax, 'memory'));
    put('cpuCapPercent', checkInteger(form.cpuCapPercent, LIMITS.cpuCapMin, LIMITS.cpuCapMax, 'cpuCap'));
  } else {
    if (form.firmwareKind === 'file') put('firmwarePath', checkPath(form.firmwarePath, true, 'firmware'));
    put('kernel', checkPath(form.kernel, form.firmwareKind === 'none', 'kernel'));
    put('initrd', checkPath(form.initrd, false, 'initrd'));
    if (!errors.initrd && form.initrd.trim() !== '' && form.kernel.trim() === '') put('initrd', { key: 'initrdNeedsKernel' });
    if (form.cmdline.length > LIMITS.cmdlineMax) put('cmdline', { key: 'cmdlineTooLong', params: { max: LIMITS.cmdlineMax } });
    form.disks.forEach((disk, i) => put(`disk.${i}`, checkPath(disk.path, true, 'disk')));
  }
  return errors;
}

/** Every step's errors at once (the settings editor validates the whole form). */
export function validateForm(form: VmForm, otherNames: readonly string[] = []): FormErrors {
  return { ...validateStep(form, 'name', otherNames), ...validateStep(form, 'hardware'), ...validateStep(form, 'boot') };
}

/** Which step an error field belongs to. */
export function stepOfField(field: string): FormStep {
  if (field === 'name') return 'name';
  if (field === 'harts' || field === 'memoryMiB' || field === 'cpuCapPercent') return 'hardware';
  return 'boot';
}

/**
 * The input a host refusal is about, found by the path it names ("the kernel /x/Image is empty"),
 * or by its subject ("a VM named ... already exists"). Null when it names no input.
 */
export function fieldOfHostError(form: VmForm, message: string): string | null {
  const candidates: Array<[string, string]> = [
    ['firmwarePath', form.firmwareKind === 'file' ? form.firmwarePath.trim() : ''],
    ['kernel', form.kernel.trim()],
    ['initrd', form.initrd.trim()],
    ...form.disks.map((d, i): [string, string] => [`disk.${i}`, d.path.trim()]),
  ];
  // Longest paths first, so /a/b.img is not taken for /a/b.img.bak.
  candidates.sort((a, b) => b[1].length - a[1].length);
  for (const [field, path] of candidates) if (path !== '' && message.includes(path)) return field;
  if (/\bnamed\b|\bname\b/.test(message)) return 'name';
  if (/\bmemory\b|\bRAM\b/.test(message)) return 'memoryMiB';
  if (/\bharts?\b/.test(message)) return 'harts';
  if (/\bfirmware\b/.test(message)) return form.firmwareKind === 'file' ? 'firmwarePath' : 'kernel';
  if (/\bkernel\b|nothing to boot/.test(message)) return 'kernel';
  if (/\binitrd\b/.test(message)) return 'initrd';
  return null;
}
