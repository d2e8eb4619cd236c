#!/usr/bin/env node
// Builds the RiscStation Linux guest (kernel Image, initramfs, ext4 root disk) from Debian
// packages only: the kernel from `linux-source-*` (/usr/src), busybox from Debian's busybox
// source package (`apt-get source`), compiled with Debian's riscv64 cross toolchain.
//
// Outputs are cached in ~/.cache/riscstation/guests/<hash>/ ($XDG_CACHE_HOME is honoured), where
// <hash> covers every file of the recipe (resources/guests/linux/**, but its README) and the Debian source
// versions used, so a rebuild happens only when one of them changes. After each build (or check)
// the symlink ~/.cache/riscstation/guests/linux-busybox points at that folder: the hypervisor's
// "Linux (busybox)" template resolves its files through it (core/platform/node/guest-cache.ts).
// A kernel config change starts its build tree from a copy of the newest finished one.
//
// Usage: node scripts/build-guests.mjs            build (or report the cached build)
//        node scripts/build-guests.mjs --print-dir print the output folder if built, else exit 1
//        node scripts/build-guests.mjs --force     rebuild even if cached
//        node scripts/build-guests.mjs --progress-json
//                                                  also print one JSON line per step (see below)
//
// --progress-json is for programs that run the build (the RiscStation host's `template.build`,
// core/platform/node/guest-build.ts): besides the human log, stdout gets lines that start with
// `{` (human lines start with `[guests]`), one JSON object each:
//   {"event":"start"|"end"|"skip","step":k,"steps":n,"name":"…"}   (k counts from 1; end has "seconds")
//   {"event":"activity","step":k,"steps":n,"name":"…","line":"…","seconds":s}  every few seconds while
//       a long command runs: the last line of its log and the seconds since the step started
//   {"event":"done","upToDate":true|false,"dir":"…"}   {"event":"error","message":"…"}
// SIGTERM or SIGINT stops the build (its children get the signal too when sent to the process
// group); the build lock is released, and the next run resumes where this one stopped.
//
// The machine this runs on may be shared: builds run under `nice -n 19` with `make -j2` by
// default (RISCSTATION_BUILD_JOBS overrides the job count). Each make's output goes to a log
// file in the build folder; its last lines are printed when it fails.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const recipeDir = path.join(repoRoot, 'resources/guests/linux');
const cacheRoot = path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'riscstation/guests');
const srcRoot = path.join(cacheRoot, 'src');
const jobs = process.env.RISCSTATION_BUILD_JOBS || '2';
const CROSS = 'riscv64-linux-gnu-';
/** Bumped when the build procedure in this script changes in a way that changes the outputs. */
const PROCEDURE_VERSION = 1;
const ROOT_DISK_MIB = 128;
/** The kernel command line the outputs are made for (also written to manifest.json). */
const CMDLINE = 'console=ttyS0 earlycon root=/dev/vda rw';
/** The stable name under the cache that points at the newest finished build (see updatePointer). */
const POINTER_NAME = 'linux-busybox';

/** Commands the build needs, with the Debian package that provides each. */
const TOOLS = [
  ['riscv64-linux-gnu-gcc', 'gcc-riscv64-linux-gnu'],
  ['make', 'make'],
  ['gcc', 'gcc'],
  ['flex', 'flex'],
  ['bison', 'bison'],
  ['bc', 'bc'],
  ['perl', 'perl'],
  ['xz', 'xz-utils'],
  ['gzip', 'gzip'],
  ['tar', 'tar'],
  ['mke2fs', 'e2fsprogs'],
  ['dpkg-source', 'dpkg-dev'],
  ['apt-get', 'apt'],
  ['nice', 'coreutils'],
];
/** Files (not commands) the build needs, with their Debian package. */
const FILES = [
  ['/usr/riscv64-linux-gnu/lib/libc.a', 'libc6-dev-riscv64-cross'],
];

class BuildError extends Error {}

const args = new Set(process.argv.slice(2));
const stepTimes = [];
const progressJson = args.has('--progress-json');
/** Every step a build may take, in order (--progress-json numbers them; steps that are not needed are skipped). */
const STEP_KEYS = [
  'check',
  'kernel-source',
  'kernel-seed',
  'kernel-config',
  'kernel-build',
  'busybox-source',
  'busybox-config',
  'busybox-build',
  'rootfs',
  'initramfs',
  'root-disk',
  'install',
];
/** How often a running long command reports its last log line (--progress-json). */
const ACTIVITY_MS = 5000;
/** The step that is running (for activity lines). */
let currentStep = null;

/** One --progress-json line (nothing without the flag). */
function progress(event, key, extra = {}) {
  if (!progressJson) return;
  const step = key === null ? {} : { step: STEP_KEYS.indexOf(key) + 1, steps: STEP_KEYS.length };
  process.stdout.write(JSON.stringify({ event, ...step, ...extra }) + '\n');
}

function log(msg) {
  process.stdout.write(`[guests] ${msg}\n`);
}

function seconds(ms) {
  return `${(ms / 1000).toFixed(1)} s`;
}

async function step(name, fn, key) {
  log(`${name} ...`);
  const t0 = Date.now();
  currentStep = { key, name, t0 };
  progress('start', key, { name });
  const result = await fn();
  currentStep = null;
  const ms = Date.now() - t0;
  stepTimes.push({ step: name, seconds: Math.round(ms / 100) / 10 });
  log(`${name}: done in ${seconds(ms)}`);
  progress('end', key, { name, seconds: Math.round(ms / 100) / 10 });
  return result;
}

/** A step this build does not need (--progress-json says so; the human log is unchanged). */
function skip(key, name) {
  progress('skip', key, { name });
}

/** The last non-empty line of a log file (reads only its tail). */
async function lastLogLine(logFile) {
  let fh;
  try {
    fh = await fs.open(logFile, 'r');
    const { size } = await fh.stat();
    const length = Math.min(size, 4096);
    const buf = Buffer.alloc(length);
    await fh.read(buf, 0, length, size - length);
    const lines = buf.toString('utf8').split('\n').map((l) => l.trim()).filter((l) => l !== '');
    return lines.at(-1) ?? '';
  } catch {
    return '';
  } finally {
    await fh?.close();
  }
}

/** The child a long command runs in (killed with the build on SIGTERM/SIGINT). */
let runningChild = null;

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => {
    process.stderr.write(`[guests] stopped by ${signal}; run again to resume\n`);
    // exit handlers release the build lock; make's finished objects stay, so the next run resumes.
    // Wait for the running command (make deletes the targets it was writing when signalled) before
    // exiting, so whoever stops us can see the whole build gone.
    const code = signal === 'SIGINT' ? 130 : 143;
    const child = runningChild;
    if (!child || child.exitCode !== null || child.signalCode !== null) process.exit(code);
    child.once('exit', () => process.exit(code));
    child.kill(signal);
  });
}

function which(cmd) {
  const r = spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : null;
}

function checkTools() {
  const missing = [];
  for (const [cmd, pkg] of TOOLS) if (!which(cmd)) missing.push(`${cmd} (Debian package ${pkg})`);
  for (const [file, pkg] of FILES) if (!existsSync(file)) missing.push(`${file} (Debian package ${pkg})`);
  if (missing.length > 0) {
    const pkgs = [...new Set([...TOOLS, ...FILES].filter(([c]) => missing.some((m) => m.startsWith(`${c} `))).map(([, p]) => p))];
    throw new BuildError(`missing build tools:\n  ${missing.join('\n  ')}\ninstall them with: apt-get install ${pkgs.join(' ')}`);
  }
}

/** Runs a command, output to the terminal; throws with the command line on failure. */
function run(cmd, argv, opts = {}) {
  const r = spawnSync(cmd, argv, { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', ...opts });
  if (r.error) throw new BuildError(`${cmd}: ${r.error.message}`);
  if (r.status !== 0) {
    throw new BuildError(`${cmd} ${argv.join(' ')} failed (exit ${r.status}):\n${(r.stdout + r.stderr).trim().split('\n').slice(-30).join('\n')}`);
  }
  return r.stdout;
}

/** Runs a long command at low priority with its output in a log file (printed in part on failure). */
async function runLogged(logFile, cmd, argv, opts = {}) {
  const fh = await fs.open(logFile, 'a');
  await fh.write(`\n$ ${cmd} ${argv.join(' ')}\n`);
  try {
    const step = currentStep;
    const timer = progressJson && step
      ? setInterval(() => {
          void lastLogLine(logFile).then((line) => {
            // The command may have ended while the log was read: no activity after the step's end.
            if (currentStep === step && runningChild) progress('activity', step.key, { name: step.name, line: line.slice(0, 200), seconds: Math.round((Date.now() - step.t0) / 1000) });
          });
        }, ACTIVITY_MS)
      : null;
    const code = await new Promise((resolve, reject) => {
      const child = spawn('nice', ['-n', '19', cmd, ...argv], { stdio: ['ignore', fh.fd, fh.fd], ...opts });
      runningChild = child;
      child.on('error', reject);
      child.on('exit', (c, sig) => resolve(sig ? `signal ${sig}` : c));
    }).finally(() => {
      runningChild = null;
      if (timer) clearInterval(timer);
    });
    if (code !== 0) {
      const text = await fs.readFile(logFile, 'utf8');
      throw new BuildError(`${cmd} ${argv.join(' ')} failed (${code}); last lines of ${logFile}:\n${text.trim().split('\n').slice(-40).join('\n')}`);
    }
  } finally {
    await fh.close();
  }
}

async function listRecipeFiles(dir, rel = '') {
  const out = [];
  for (const ent of (await fs.readdir(path.join(dir, rel), { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const r = path.posix.join(rel, ent.name);
    if (ent.isDirectory()) out.push(...(await listRecipeFiles(dir, r)));
    else out.push(r);
  }
  return out;
}

function sha(text) {
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

function linuxSourceTarball() {
  const r = spawnSync('dpkg-query', ['-W', '-f', '${Package} ${Version} ${Status}\n', 'linux-source-*'], { encoding: 'utf8' });
  const installed = (r.stdout || '')
    .split('\n')
    .filter((l) => l.includes('install ok installed'))
    .map((l) => l.split(' '))
    .filter(([pkg]) => /^linux-source-\d+\.\d+$/.test(pkg))
    .sort(([a], [b]) => (a < b ? 1 : -1));
  if (installed.length === 0) {
    throw new BuildError('no Linux kernel source: install Debian\'s kernel source package, e.g. `apt-get install linux-source-6.1` (it puts the tarball in /usr/src)');
  }
  const [pkg, version] = installed[0];
  const tarball = `/usr/src/${pkg}.tar.xz`;
  if (!existsSync(tarball)) throw new BuildError(`${pkg} is installed but ${tarball} is missing: reinstall it with \`apt-get install --reinstall ${pkg}\``);
  return { pkg, version, tarball };
}

function busyboxSourceVersion() {
  const r = spawnSync('apt-get', ['source', '--print-uris', 'busybox'], { encoding: 'utf8' });
  // Lines look like: 'http://…/busybox_1.35.0-4%2bdeb12u1.dsc' busybox_1.35.0-4+deb12u1.dsc 2135 SHA256:…
  const m = /^'[^']+' (busybox_(\S+)\.dsc) /m.exec(r.stdout || '');
  if (r.status !== 0 || !m) {
    throw new BuildError(
      'cannot find Debian\'s busybox source package: add a deb-src entry for your suite, e.g. a file ' +
        '/etc/apt/sources.list.d/debian-src.sources with\n  Types: deb-src\n  URIs: http://deb.debian.org/debian\n' +
        '  Suites: bookworm bookworm-updates\n  Components: main\n  Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' +
        `then run \`apt-get update\` (apt-get said: ${(r.stderr || '').trim().split('\n').pop()})`,
    );
  }
  return { dsc: m[1], version: m[2] };
}

async function recipeHash(linux, busybox) {
  const h = createHash('sha256');
  h.update(`procedure ${PROCEDURE_VERSION}\nlinux ${linux.pkg} ${linux.version}\nbusybox ${busybox.version}\n`);
  // The README documents the recipe; editing it must not force a rebuild.
  for (const f of (await listRecipeFiles(recipeDir)).filter((name) => name !== 'README.md')) {
    const st = await fs.stat(path.join(recipeDir, f));
    h.update(`${f} ${st.mode & 0o111 ? 'x' : '-'}\n`);
    h.update(await fs.readFile(path.join(recipeDir, f)));
  }
  return h.digest('hex').slice(0, 16);
}

/** Parses a Kconfig fragment into [symbol, value] pairs ("n" for `# CONFIG_X is not set`). */
function parseFragment(text) {
  const out = [];
  for (const line of text.split('\n')) {
    const set = /^(CONFIG_\w+)=(.*)$/.exec(line.trim());
    const unset = /^# (CONFIG_\w+) is not set$/.exec(line.trim());
    if (set) out.push([set[1], set[2]]);
    else if (unset) out.push([unset[1], 'n']);
  }
  return out;
}

/** Fails when Kconfig dropped or changed a fragment line (a missing dependency, a renamed symbol). */
function verifyConfig(configText, fragment, what) {
  const have = new Map(parseFragment(configText));
  const wrong = fragment.filter(([k, v]) => (have.get(k) ?? 'n') !== v).map(([k, v]) => `${k}=${v} (got ${have.get(k) ?? 'not set'})`);
  if (wrong.length > 0) throw new BuildError(`${what} config does not keep these fragment settings:\n  ${wrong.join('\n  ')}`);
}

/** Replaces or appends fragment settings in a .config text (for busybox, which has no merge_config). */
function applyFragment(configText, fragment) {
  const keys = new Set(fragment.map(([k]) => k));
  const kept = configText.split('\n').filter((l) => {
    const m = /^(?:# )?(CONFIG_\w+)[= ]/.exec(l);
    return !(m && keys.has(m[1]));
  });
  for (const [k, v] of fragment) kept.push(v === 'n' ? `# ${k} is not set` : `${k}=${v}`);
  return kept.join('\n') + '\n';
}

/**
 * The most recently finished kernel build tree made from the same extracted source (its `source`
 * link points at it and it finished after the extraction), or null. A new config then starts from
 * a copy of it instead of from nothing: Kbuild's fixdep records which CONFIG_ options each object
 * depends on, so `make` recompiles only what the changed options touch (minutes, not an hour).
 */
async function newestKernelTree(ksrc, extractedMarker, exclude) {
  const buildRoot = path.join(cacheRoot, 'build');
  if (!existsSync(extractedMarker)) return null;
  const extractedAt = (await fs.stat(extractedMarker)).mtimeMs;
  let best = null;
  for (const name of await fs.readdir(buildRoot)) {
    const dir = path.join(buildRoot, name);
    if (!name.startsWith('linux-') || name.endsWith('.seeding') || dir === exclude) continue;
    const done = path.join(dir, '.riscstation-done');
    if (!existsSync(done)) continue;
    const doneAt = (await fs.stat(done)).mtimeMs;
    let src = null;
    try {
      src = path.resolve(dir, await fs.readlink(path.join(dir, 'source')));
    } catch {
      continue;
    }
    if (src !== path.resolve(ksrc) || doneAt < extractedAt) continue;
    if (!best || doneAt > best.doneAt) best = { dir, doneAt };
  }
  return best?.dir ?? null;
}

/**
 * Points `<cache>/linux-busybox` at the newest finished build (a relative symlink, replaced
 * atomically), so the hypervisor's "Linux (busybox)" template finds the guest without knowing
 * how the recipe hash is computed.
 */
async function updatePointer(hash) {
  const link = path.join(cacheRoot, POINTER_NAME);
  const tmp = `${link}.tmp-${process.pid}`;
  await fs.rm(tmp, { force: true });
  await fs.symlink(hash, tmp);
  await fs.rename(tmp, link);
  log(`${link} -> ${hash}`);
}

async function extractOnce(marker, fn) {
  if (existsSync(marker)) return;
  await fn();
  await fs.writeFile(marker, new Date().toISOString() + '\n');
}

/** Writes a gen_init_cpio list for a staging folder (everything owned by root). */
async function cpioList(stageDir) {
  const lines = ['dir /dev 0755 0 0', 'nod /dev/console 0600 0 0 c 5 1', 'nod /dev/null 0666 0 0 c 1 3'];
  async function walk(rel) {
    const ents = (await fs.readdir(path.join(stageDir, rel), { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1));
    for (const ent of ents) {
      const r = `${rel}/${ent.name}`;
      const abs = path.join(stageDir, r);
      const st = await fs.lstat(abs);
      const mode = (st.mode & 0o7777).toString(8).padStart(4, '0');
      if (st.isSymbolicLink()) lines.push(`slink ${r} ${await fs.readlink(abs)} ${mode} 0 0`);
      else if (st.isDirectory()) {
        if (r !== '/dev') lines.push(`dir ${r} ${mode} 0 0`);
        await walk(r);
      } else if (st.isFile()) lines.push(`file ${r} ${abs} ${mode} 0 0`);
    }
  }
  await walk('');
  return lines.join('\n') + '\n';
}

/** One build at a time per cache: a lock file holding the builder's pid (stale if it is gone). */
function takeBuildLock(lockPath) {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(lockPath, `${process.pid}\n`, { flag: 'wx' });
      process.on('exit', () => rmSync(lockPath, { force: true }));
      return;
    } catch (error) {
      if (error.code !== 'EEXIST') throw error;
    }
    const holder = Number(readFileSync(lockPath, 'utf8').trim());
    let alive = false;
    try {
      process.kill(holder, 0);
      alive = holder > 0;
    } catch (error) {
      alive = error.code === 'EPERM';
    }
    if (alive) throw new BuildError(`another guest build is running (pid ${holder}, lock ${lockPath}); wait for it to finish`);
    rmSync(lockPath, { force: true });
  }
  throw new BuildError(`cannot take the build lock ${lockPath}`);
}

async function main() {
  const t0 = Date.now();
  if (!args.has('--print-dir')) progress('start', 'check', { name: 'check build tools and sources' });
  checkTools();
  const linux = linuxSourceTarball();
  const busybox = busyboxSourceVersion();
  const hash = await recipeHash(linux, busybox);
  const outDir = path.join(cacheRoot, hash);
  const built = existsSync(path.join(outDir, 'manifest.json'));

  if (args.has('--print-dir')) {
    if (!built) process.exit(1);
    process.stdout.write(outDir + '\n');
    return;
  }
  log(`recipe ${path.relative(repoRoot, recipeDir)} with ${linux.pkg} ${linux.version} and busybox ${busybox.version}: hash ${hash}`);
  progress('end', 'check', { name: 'check build tools and sources', seconds: Math.round((Date.now() - t0) / 100) / 10 });
  if (built && !args.has('--force')) {
    log(`up to date: ${outDir} (Image, initramfs.cpio.gz, root.ext4); delete it or pass --force to rebuild`);
    await updatePointer(hash);
    progress('done', null, { upToDate: true, dir: outDir });
    return;
  }

  // Each component builds in its own folder keyed by what it depends on, so editing the init
  // script does not rebuild the kernel, and make's incremental build is reused after a failure.
  const kernelConfigText = await fs.readFile(path.join(recipeDir, 'kernel.config'), 'utf8');
  const busyboxConfigText = await fs.readFile(path.join(recipeDir, 'busybox.config'), 'utf8');
  const khash = sha(`procedure ${PROCEDURE_VERSION}\n${linux.pkg} ${linux.version}\n${kernelConfigText}`);
  const bhash = sha(`procedure ${PROCEDURE_VERSION}\nbusybox ${busybox.version}\n${busyboxConfigText}`);
  await fs.mkdir(path.join(cacheRoot, 'build'), { recursive: true });
  takeBuildLock(path.join(cacheRoot, 'build', 'build.lock'));
  const buildDir = path.join(cacheRoot, 'build', hash);
  const kbuild = path.join(cacheRoot, 'build', `linux-${khash}`);
  const bbuild = path.join(cacheRoot, 'build', `busybox-${bhash}`);
  await fs.mkdir(kbuild, { recursive: true });
  await fs.mkdir(bbuild, { recursive: true });
  await fs.mkdir(srcRoot, { recursive: true });
  await fs.rm(path.join(cacheRoot, 'build', `${hash}`), { recursive: true, force: true });
  await fs.mkdir(buildDir, { recursive: true });
  log(`building with make -j${jobs} under nice -n 19 in ${path.join(cacheRoot, 'build')} (make logs: build.log in each folder)`);
  const kmake = ['-C', path.join(srcRoot, linux.pkg), `O=${kbuild}`, 'ARCH=riscv', `CROSS_COMPILE=${CROSS}`];
  const klog = path.join(kbuild, 'build.log');

  const ksrc = path.join(srcRoot, linux.pkg);
  await step(`extract kernel source ${linux.tarball}`, () =>
    extractOnce(path.join(srcRoot, `.${linux.pkg}-${linux.version}.extracted`), async () => {
      await fs.rm(ksrc, { recursive: true, force: true });
      await runLogged(path.join(srcRoot, 'extract.log'), 'tar', ['-xJf', linux.tarball, '-C', srcRoot]);
    }),
  'kernel-source');

  const kfrag = parseFragment(kernelConfigText);
  const kernelDone = path.join(kbuild, '.riscstation-done');
  const kernelConfigured = path.join(kbuild, '.riscstation-configured');
  let seeded = false;
  if (!existsSync(kernelDone) && !existsSync(kernelConfigured)) {
    const seed = await newestKernelTree(ksrc, path.join(srcRoot, `.${linux.pkg}-${linux.version}.extracted`), kbuild);
    if (seed) {
      seeded = true;
      await step(`seed kernel build tree from ${path.basename(seed)} (cp -a; make then recompiles only what the changed config options touch)`, async () => {
        // Copied aside and renamed into place once its markers are gone: a copy cut short (a
        // cancel, a full disk) never leaves a tree whose copied markers a later run would trust.
        const seeding = `${kbuild}.seeding`;
        await fs.rm(kbuild, { recursive: true, force: true });
        await fs.rm(seeding, { recursive: true, force: true });
        run('cp', ['-a', seed, seeding]);
        for (const f of ['.riscstation-done', '.riscstation-configured', 'build.log']) await fs.rm(path.join(seeding, f), { force: true });
        await fs.rename(seeding, kbuild);
      }, 'kernel-seed');
    }
  }
  if (!seeded) skip('kernel-seed', 'seed kernel build tree');
  if (existsSync(kernelDone)) {
    log(`kernel: reusing ${kbuild}`);
    skip('kernel-config', 'configure kernel');
  } else if (existsSync(kernelConfigured)) {
    log(`kernel: configured already in ${kbuild}, resuming the build`);
    skip('kernel-config', 'configure kernel');
  } else await step('configure kernel (tinyconfig + resources/guests/linux/kernel.config)', async () => {
    await runLogged(klog, 'make', [...kmake, 'tinyconfig']);
    await runLogged(klog, path.join(ksrc, 'scripts/kconfig/merge_config.sh'), ['-m', '-O', kbuild, path.join(kbuild, '.config'), path.join(recipeDir, 'kernel.config')], { cwd: ksrc });
    await runLogged(klog, 'make', [...kmake, 'olddefconfig']);
    verifyConfig(await fs.readFile(path.join(kbuild, '.config'), 'utf8'), kfrag, 'kernel');
    await fs.writeFile(kernelConfigured, new Date().toISOString() + '\n');
  }, 'kernel-config');
  if (!existsSync(kernelDone)) {
    await step('build kernel Image', () => runLogged(klog, 'make', [...kmake, `-j${jobs}`, 'Image']), 'kernel-build');
    await fs.writeFile(kernelDone, new Date().toISOString() + '\n');
  } else skip('kernel-build', 'build kernel Image');

  const bsrc = path.join(srcRoot, `busybox-${busybox.version}`);
  await step(`fetch and unpack Debian busybox source ${busybox.version}`, () =>
    extractOnce(path.join(srcRoot, `.busybox-${busybox.version}.extracted`), async () => {
      await fs.rm(bsrc, { recursive: true, force: true });
      const blog = path.join(srcRoot, 'busybox-source.log');
      if (!existsSync(path.join(srcRoot, busybox.dsc))) await runLogged(blog, 'apt-get', ['source', '--download-only', 'busybox'], { cwd: srcRoot });
      await runLogged(blog, 'dpkg-source', ['-x', busybox.dsc, bsrc], { cwd: srcRoot });
    }),
  'busybox-source');

  const bfrag = parseFragment(busyboxConfigText);
  const busyboxDone = path.join(bbuild, '.riscstation-done');
  const busyboxConfigured = path.join(bbuild, '.riscstation-configured');
  const bbInstall = path.join(bbuild, 'install');
  const bmake = ['-C', bsrc, `O=${bbuild}`, `CROSS_COMPILE=${CROSS}`];
  const blog = path.join(bbuild, 'build.log');
  if (existsSync(busyboxDone)) {
    log(`busybox: reusing ${bbuild}`);
    skip('busybox-config', 'configure busybox');
    skip('busybox-build', 'build static busybox');
  } else {
    if (!existsSync(busyboxConfigured)) {
      await step('configure busybox (allnoconfig + resources/guests/linux/busybox.config)', async () => {
        await runLogged(blog, 'make', [...bmake, 'allnoconfig']);
        const base = await fs.readFile(path.join(bbuild, '.config'), 'utf8');
        await fs.writeFile(path.join(bbuild, '.config'), applyFragment(base, bfrag));
        // Options the fragment newly enables bring sub-options: take their defaults.
        await runLogged(blog, 'sh', ['-c', `yes '' | make ${bmake.map((a) => `'${a}'`).join(' ')} oldconfig`]);
        verifyConfig(await fs.readFile(path.join(bbuild, '.config'), 'utf8'), bfrag, 'busybox');
        await fs.writeFile(busyboxConfigured, new Date().toISOString() + '\n');
      }, 'busybox-config');
    } else skip('busybox-config', 'configure busybox');
    await step('build static busybox', async () => {
      await runLogged(blog, 'make', [...bmake, `-j${jobs}`, 'busybox']);
      await fs.rm(bbInstall, { recursive: true, force: true });
      await runLogged(blog, 'make', [...bmake, `CONFIG_PREFIX=${bbInstall}`, 'install']);
    }, 'busybox-build');
    await fs.writeFile(busyboxDone, new Date().toISOString() + '\n');
  }

  const tmpOut = path.join(cacheRoot, `${hash}.tmp`);
  await fs.rm(tmpOut, { recursive: true, force: true });
  await fs.mkdir(tmpOut, { recursive: true });

  const rootStage = path.join(buildDir, 'rootfs');
  await step('stage the root filesystem', async () => {
    await fs.rm(rootStage, { recursive: true, force: true });
    await fs.cp(bbInstall, rootStage, { recursive: true, verbatimSymlinks: true });
    await fs.cp(path.join(recipeDir, 'rootfs'), rootStage, { recursive: true });
    for (const d of ['dev', 'proc', 'sys', 'tmp', 'root', 'mnt', 'newroot']) await fs.mkdir(path.join(rootStage, d), { recursive: true });
    await fs.chmod(path.join(rootStage, 'tmp'), 0o1777);
    await fs.copyFile(path.join(recipeDir, 'init'), path.join(rootStage, 'init'));
    await fs.chmod(path.join(rootStage, 'init'), 0o755);
  }, 'rootfs');

  await step('write initramfs.cpio.gz', async () => {
    const gen = path.join(buildDir, 'gen_init_cpio');
    run('gcc', ['-O2', '-o', gen, path.join(ksrc, 'usr/gen_init_cpio.c')]);
    const list = path.join(buildDir, 'initramfs.list');
    await fs.writeFile(list, await cpioList(rootStage));
    const cpio = path.join(buildDir, 'initramfs.cpio');
    run('sh', ['-c', `'${gen}' '${list}' > '${cpio}' && gzip -9 -n -c '${cpio}' > '${path.join(tmpOut, 'initramfs.cpio.gz')}'`]);
  }, 'initramfs');

  await step(`write root.ext4 (${ROOT_DISK_MIB} MiB, mke2fs -d)`, async () => {
    const img = path.join(tmpOut, 'root.ext4');
    run('mke2fs', ['-q', '-F', '-t', 'ext4', '-L', 'riscstation', '-E', 'root_owner=0:0', '-d', rootStage, img, `${ROOT_DISK_MIB}M`], {
      env: { ...process.env, E2FSPROGS_FAKE_TIME: '1700000000' },
    });
  }, 'root-disk');

  const installName = 'install Image, initramfs and root disk';
  const installAt = Date.now();
  progress('start', 'install', { name: installName });
  await fs.copyFile(path.join(kbuild, 'arch/riscv/boot/Image'), path.join(tmpOut, 'Image'));
  await fs.copyFile(path.join(kbuild, '.config'), path.join(tmpOut, 'kernel.config'));
  const manifest = {
    recipe: 'resources/guests/linux',
    hash,
    linuxSource: { package: linux.pkg, version: linux.version },
    busyboxSource: { package: 'busybox', version: busybox.version },
    files: { kernel: 'Image', initramfs: 'initramfs.cpio.gz', rootDisk: 'root.ext4', kernelConfig: 'kernel.config' },
    cmdline: CMDLINE,
    builtAt: new Date().toISOString(),
    steps: stepTimes,
  };
  await fs.writeFile(path.join(tmpOut, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
  await fs.rm(outDir, { recursive: true, force: true });
  await fs.rename(tmpOut, outDir);
  await updatePointer(hash);
  progress('end', 'install', { name: installName, seconds: Math.round((Date.now() - installAt) / 100) / 10 });
  progress('done', null, { upToDate: false, dir: outDir });
  log(`done in ${seconds(Date.now() - t0)}: ${outDir}`);
  for (const s of stepTimes) log(`  ${s.seconds.toFixed(1).padStart(7)} s  ${s.step}`);
  log(`boot it on QEMU: qemu-system-riscv64 -M virt -m 256M -bios /usr/lib/riscv64-linux-gnu/opensbi/generic/fw_jump.bin -kernel ${outDir}/Image -initrd ${outDir}/initramfs.cpio.gz -append '${CMDLINE}' -drive file=${outDir}/root.ext4,if=none,id=d0,format=raw -device virtio-blk-device,drive=d0 -nographic`);
}

main().catch((e) => {
  if (e instanceof BuildError) {
    progress('error', null, { message: e.message });
    process.stderr.write(`[guests] error: ${e.message}\n`);
    process.exit(1);
  }
  throw e;
});
