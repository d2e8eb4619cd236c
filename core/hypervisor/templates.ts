/**
 * VM templates (resources/templates/*.json): a name, a partial configuration, what the user must
 * still give (a kernel for bare metal), and which Debian package provides each host file the
 * template refers to, so a missing file comes with the command that installs it.
 */
import { explainSchemaError, vmTemplateSchema, type VmTemplate } from '../api/index.js';
import type { PackageHints } from './boot-files.js';
import { joinPath, type LibraryFiles } from './host-platform.js';

export type { VmTemplate };

/** What `template.list` shows: the template plus which of its files are missing here. */
export interface TemplateStatus extends VmTemplate {
  /** Host files the template needs that do not exist, each with the package that provides it. */
  readonly missing: { path: string; package: string | null }[];
}

/** Loads every template in `dir`; a broken template file throws (it is shipped with the product). */
export function loadTemplates(files: LibraryFiles, dir: string): VmTemplate[] {
  const templates: VmTemplate[] = [];
  for (const name of files.list(dir).sort()) {
    if (!name.endsWith('.json')) continue;
    const path = joinPath(dir, name);
    const parsed = vmTemplateSchema.safeParse(JSON.parse(files.readText(path)));
    if (!parsed.success) throw new Error(`template ${path} is invalid: ${explainSchemaError(parsed.error)}`);
    templates.push(parsed.data);
  }
  return templates;
}

function templatePaths(t: VmTemplate): string[] {
  const paths: string[] = [];
  if (t.config.firmware?.kind === 'file') paths.push(t.config.firmware.path);
  if (t.config.kernel) paths.push(t.config.kernel);
  if (t.config.initrd) paths.push(t.config.initrd);
  return paths;
}

export function templateStatus(files: LibraryFiles, t: VmTemplate): TemplateStatus {
  const missing = templatePaths(t)
    .filter((p) => files.stat(p)?.kind !== 'file')
    .map((p) => ({ path: p, package: t.packages[p] ?? null }));
  return { ...t, missing };
}

/** Package hints from every template (for messages about missing files). */
export function packageHints(templates: readonly VmTemplate[]): PackageHints {
  const hints: Record<string, string> = {};
  for (const t of templates) Object.assign(hints, t.packages);
  return hints;
}
