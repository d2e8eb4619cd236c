/**
 * VM templates (resources/templates/*.json): a name, a partial configuration, what the user must
 * still give (a kernel for bare metal), and which Debian package provides each host file the
 * template refers to, so a missing file comes with the command that installs it.
 *
 * A template may refer to the guest cache with `${guests}` (the Linux guest that `npm run guests`
 * builds: core/platform/node/guest-cache.ts says where), and list disks each VM gets its own copy
 * of (`copyDisks`): the hypervisor copies them into the VM's folder when it creates the VM.
 */
import { explainSchemaError, vmTemplateSchema, type VmTemplate } from '../api/index.js';
import type { PackageHints } from './boot-files.js';
import { joinPath, type LibraryFiles } from './host-platform.js';

export type { VmTemplate };

/** The placeholder for the guest cache folder in template paths. */
export const GUESTS_VAR = '${guests}';

/** A host file the template needs that is not there, and how to get it. */
export interface MissingFile {
  readonly path: string;
  /** The Debian package that provides it, if any. */
  readonly package: string | null;
  /** What to run when no package provides it (the guest build). */
  readonly hint?: string;
}

/** What `template.list` shows: the template plus which of its files are missing here. */
export interface TemplateStatus extends VmTemplate {
  /** Host files the template needs that do not exist, each with the package or command that provides it. */
  readonly missing: MissingFile[];
}

/**
 * Loads every template in `dir`; a broken template file throws (it is shipped with the product).
 * `${guests}` in paths becomes `guestsDir`; without one, such paths stay as they are (and are
 * reported missing).
 */
export function loadTemplates(files: LibraryFiles, dir: string, guestsDir: string | null = null): VmTemplate[] {
  const templates: VmTemplate[] = [];
  for (const name of files.list(dir).sort()) {
    if (!name.endsWith('.json')) continue;
    const path = joinPath(dir, name);
    const parsed = vmTemplateSchema.safeParse(JSON.parse(files.readText(path)));
    if (!parsed.success) throw new Error(`template ${path} is invalid: ${explainSchemaError(parsed.error)}`);
    templates.push(guestsDir === null ? parsed.data : withGuestsDir(parsed.data, guestsDir));
  }
  return templates;
}

function withGuestsDir(t: VmTemplate, guestsDir: string): VmTemplate {
  const sub = (p: string) => (p.startsWith(GUESTS_VAR) ? joinPath(guestsDir, p.slice(GUESTS_VAR.length)) : p);
  const config = { ...t.config };
  if (config.firmware?.kind === 'file') config.firmware = { kind: 'file', path: sub(config.firmware.path) };
  if (config.kernel) config.kernel = sub(config.kernel);
  if (config.initrd) config.initrd = sub(config.initrd);
  if (config.disks) config.disks = config.disks.map((d) => ({ ...d, path: sub(d.path) }));
  const packages = Object.fromEntries(Object.entries(t.packages).map(([p, pkg]) => [sub(p), pkg]));
  return { ...t, config, packages, copyDisks: t.copyDisks.map(sub) };
}

function templatePaths(t: VmTemplate): string[] {
  const paths: string[] = [];
  if (t.config.firmware?.kind === 'file') paths.push(t.config.firmware.path);
  if (t.config.kernel) paths.push(t.config.kernel);
  if (t.config.initrd) paths.push(t.config.initrd);
  paths.push(...t.copyDisks);
  return paths;
}

/** The sentence telling the user how to build a template's guest ("build it with `npm run guests` ..."). */
export function guestBuildHint(t: VmTemplate): string | undefined {
  if (!t.guestBuild) return undefined;
  return `the ${t.name} guest is not built: run \`${t.guestBuild.command}\` in RiscStation's source folder (${t.guestBuild.duration})`;
}

export function templateStatus(files: LibraryFiles, t: VmTemplate): TemplateStatus {
  const hint = guestBuildHint(t);
  const missing = templatePaths(t)
    .filter((p) => files.stat(p)?.kind !== 'file')
    .map((p): MissingFile => {
      const pkg = t.packages[p] ?? null;
      return pkg === null && hint !== undefined ? { path: p, package: null, hint } : { path: p, package: pkg };
    });
  return { ...t, missing };
}

/** One sentence saying what is missing and how to get it, or null when the template is usable. */
export function templateProblem(status: TemplateStatus): string | null {
  if (status.missing.length === 0) return null;
  const packages = [...new Set(status.missing.map((m) => m.package).filter((p): p is string => p !== null))];
  const hints = [...new Set(status.missing.map((m) => m.hint).filter((h): h is string => h !== undefined))];
  const parts: string[] = [];
  if (packages.length > 0) parts.push(`install the Debian package${packages.length > 1 ? 's' : ''} ${packages.map((p) => `'${p}'`).join(', ')} (sudo apt install ${packages.join(' ')})`);
  parts.push(...hints);
  const unexplained = status.missing.filter((m) => m.package === null && m.hint === undefined).map((m) => m.path);
  if (unexplained.length > 0) parts.push(`missing ${unexplained.join(', ')}`);
  return `the template '${status.name}' cannot be used yet: ${parts.join('; ')}`;
}

/** Package hints from every template (for messages about missing files). */
export function packageHints(templates: readonly VmTemplate[]): PackageHints {
  const hints: Record<string, string> = {};
  for (const t of templates) Object.assign(hints, t.packages);
  return hints;
}
