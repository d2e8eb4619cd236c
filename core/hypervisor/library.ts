/**
 * The VM library on disk:
 *
 *   <data>/vms/<id>/vm.json     { formatVersion, id, createdAt, config } (config: core/api's schema)
 *   <data>/vms/<id>/state.json  the last settled state (created | stopped | crashed + reason)
 *   <data>/vms/<id>/logs/       vm.log (lifecycle, crash reasons), process.log (the VM process's stderr)
 *
 * Every write is atomic (LibraryFiles.writeAtomic). A vm.json that cannot be read or fails the
 * schema becomes a `BrokenEntry` with a message naming the file and the problem; the rest of the
 * library stays usable, and nothing is rewritten until the user fixes or deletes it.
 */
import {
  explainSchemaError,
  VM_FILE_VERSION,
  vmFileSchema,
  vmStateFileSchema,
  type VmConfig,
  type VmFile,
  type VmState,
  type VmStateFile,
} from '../api/index.js';
import { joinPath, type LibraryFiles } from './host-platform.js';

export type { VmFile };
export type SettledState = VmStateFile;

export interface GoodEntry {
  readonly ok: true;
  readonly file: VmFile;
  readonly settled: SettledState;
}
export interface BrokenEntry {
  readonly ok: false;
  readonly id: string;
  /** What is wrong, naming the file. */
  readonly error: string;
}
export type LibraryEntry = GoodEntry | BrokenEntry;

export class VmLibrary {
  readonly vmsDir: string;

  constructor(
    private readonly files: LibraryFiles,
    readonly dataDir: string,
  ) {
    this.vmsDir = joinPath(dataDir, 'vms');
  }

  /** Creates the folders if needed. */
  open(): void {
    this.files.mkdirp(this.vmsDir);
  }

  vmDir(id: string): string {
    return joinPath(this.vmsDir, id);
  }
  logsDir(id: string): string {
    return joinPath(this.vmDir(id), 'logs');
  }
  vmLog(id: string): string {
    return joinPath(this.logsDir(id), 'vm.log');
  }
  processLog(id: string): string {
    return joinPath(this.logsDir(id), 'process.log');
  }

  /** Every VM folder, good or broken, in creation order (broken ones last, by id). */
  readAll(): LibraryEntry[] {
    const entries: LibraryEntry[] = [];
    for (const id of this.files.list(this.vmsDir)) {
      if (id.startsWith('.')) continue;
      if (this.files.stat(this.vmDir(id))?.kind !== 'directory') continue;
      entries.push(this.read(id));
    }
    const key = (e: LibraryEntry) => (e.ok ? `0${e.file.createdAt}\u0000${e.file.id}` : `1${e.id}`);
    return entries.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  }

  /** Reads one VM folder. */
  read(id: string): LibraryEntry {
    const path = joinPath(this.vmDir(id), 'vm.json');
    let text: string;
    try {
      text = this.files.readText(path);
    } catch (error) {
      const code = (error as { code?: string }).code;
      return { ok: false, id, error: `${path}: ${code === 'ENOENT' ? 'missing' : `cannot be read (${String(error)})`}` };
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      return { ok: false, id, error: `${path} is not valid JSON (${(error as Error).message}); fix it by hand or delete the VM` };
    }
    const parsed = vmFileSchema.safeParse(json);
    if (!parsed.success) {
      return { ok: false, id, error: `${path} is invalid: ${explainSchemaError(parsed.error)}; fix it by hand or delete the VM` };
    }
    if (parsed.data.id !== id) {
      return { ok: false, id, error: `${path} says its id is '${parsed.data.id}' but it lives in the folder '${id}'` };
    }
    return { ok: true, file: parsed.data, settled: this.readState(id) };
  }

  private readState(id: string): SettledState {
    try {
      const parsed = vmStateFileSchema.safeParse(JSON.parse(this.files.readText(joinPath(this.vmDir(id), 'state.json'))));
      if (parsed.success) return parsed.data;
    } catch {
      // no state yet (never started) or unreadable: treat as created
    }
    return { state: 'created', crashReason: null };
  }

  /** Creates a VM's folder and files. The id must be free. */
  create(id: string, config: VmConfig, createdAt: string): VmFile {
    const file: VmFile = { formatVersion: VM_FILE_VERSION, id, createdAt, config };
    this.files.mkdirp(this.logsDir(id));
    this.files.writeAtomic(joinPath(this.vmDir(id), 'vm.json'), JSON.stringify(file, null, 2) + '\n');
    return file;
  }

  writeConfig(file: VmFile): void {
    this.files.writeAtomic(joinPath(this.vmDir(file.id), 'vm.json'), JSON.stringify(file, null, 2) + '\n');
  }

  /** Records the last settled state (only the states that survive a host restart). */
  writeState(id: string, state: VmState, crashReason: string | null): void {
    if (state !== 'created' && state !== 'stopped' && state !== 'crashed') return;
    this.files.writeAtomic(joinPath(this.vmDir(id), 'state.json'), JSON.stringify({ state, crashReason }) + '\n');
  }

  exists(id: string): boolean {
    return this.files.stat(this.vmDir(id)) !== null;
  }

  remove(id: string): void {
    this.files.removeTree(this.vmDir(id));
  }

  /** Appends a timestamped line to the VM's log. */
  log(id: string, time: string, line: string): void {
    try {
      this.files.mkdirp(this.logsDir(id));
      this.files.append(this.vmLog(id), `${time} ${line}\n`);
    } catch {
      // a log that cannot be written must not take the VM down
    }
  }

  /** A free id derived from a name ('My VM' → 'my-vm', then 'my-vm-2', ...). */
  freeId(name: string): string {
    const base =
      name
        .toLowerCase()
        .normalize('NFKD')
        .replace(/[^a-z0-9]+/g, '-')
        .replace(/^-+|-+$/g, '')
        .slice(0, 48)
        .replace(/-+$/, '') || 'vm';
    let id = base;
    for (let n = 2; this.exists(id); n++) id = `${base}-${n}`;
    return id;
  }
}
