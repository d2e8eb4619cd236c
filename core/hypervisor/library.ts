/**
 * The VM library on disk:
 *
 *   <data>/vms/<id>/vm.json     { formatVersion, id, createdAt, config } (config: core/api's schema)
 *   <data>/vms/<id>/state.json  the last settled state (created | stopped | crashed + reason)
 *   <data>/vms/<id>/logs/       vm.log (lifecycle, crash reasons), process.log (the VM process's stderr)
 *   <data>/vms/<id>/disks/      the VM's own disk images (copies of a template's disks)
 *   <data>/vms/.creating-<id>/  a VM being created (its disks are copied); renamed to <id> when done
 *   <data>/kept-disks/<id>-<time>/  disks of a deleted VM the user chose to keep, with its vm.json
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

/** Folder-name prefix of VMs being created (see VmLibrary.stagingDir). */
const STAGING_PREFIX = '.creating-';
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

  /** Creates the folders if needed, and removes what a create cut short by a crash left behind. */
  open(): void {
    this.files.mkdirp(this.vmsDir);
    for (const name of this.files.list(this.vmsDir)) {
      if (name.startsWith(STAGING_PREFIX)) this.files.removeTree(joinPath(this.vmsDir, name));
    }
  }

  /**
   * Where a VM is assembled while its disks are copied (hidden from `readAll` by its leading dot);
   * `commitStaged` moves it to vms/<id>/ in one rename, so a cancelled or failed create leaves nothing.
   */
  stagingDir(id: string): string {
    return joinPath(this.vmsDir, `${STAGING_PREFIX}${id}`);
  }

  /** The VM's own disk images (copies made at create time). */
  disksDir(id: string): string {
    return joinPath(this.vmDir(id), 'disks');
  }

  commitStaged(id: string): void {
    this.files.rename(this.stagingDir(id), this.vmDir(id));
  }

  /**
   * Moves the VM's own disks (vms/<id>/disks/) to <data>/kept-disks/<id>-<time>/ with a copy of its
   * vm.json beside them, before the VM is deleted. Returns that folder, or null when the VM has
   * no disks of its own. `time` is an ISO time (made safe for a folder name).
   */
  keepDisks(id: string, time: string): string | null {
    const disks = this.disksDir(id);
    if (this.files.stat(disks)?.kind !== 'directory' || this.files.list(disks).length === 0) return null;
    const keptRoot = joinPath(this.dataDir, 'kept-disks');
    this.files.mkdirp(keptRoot);
    const stamp = time.replace(/\.\d+Z$/, 'Z').replace(/:/g, '-');
    let target = joinPath(keptRoot, `${id}-${stamp}`);
    for (let n = 2; this.files.stat(target) !== null; n++) target = joinPath(keptRoot, `${id}-${stamp}-${n}`);
    this.files.rename(disks, target);
    try {
      this.files.writeAtomic(joinPath(target, 'vm.json'), this.files.readText(joinPath(this.vmDir(id), 'vm.json')));
    } catch {
      // the disks are what matters; a vm.json that cannot be read stays behind
    }
    return target;
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

  /** Creates a VM's folder and files (in `dir`, vms/<id>/ unless staged). The id must be free. */
  create(id: string, config: VmConfig, createdAt: string, dir: string = this.vmDir(id)): VmFile {
    const file: VmFile = { formatVersion: VM_FILE_VERSION, id, createdAt, config };
    this.files.mkdirp(joinPath(dir, 'logs'));
    this.files.writeAtomic(joinPath(dir, 'vm.json'), JSON.stringify(file, null, 2) + '\n');
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
    const taken = (id: string) => this.exists(id) || this.files.stat(this.stagingDir(id)) !== null;
    let id = base;
    for (let n = 2; taken(id); n++) id = `${base}-${n}`;
    return id;
  }
}
