#!/usr/bin/env node
// `npm start`: makes sure Electron's binary is present (downloading it with the electron package's
// own installer the first time), builds RiscStation, and opens the desktop app. Every failure ends
// with a sentence saying what to do, not a stack trace.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const require = createRequire(import.meta.url);

class StartError extends Error {}

/** The Electron executable if it is installed, else null (never triggers a download itself). */
function installedElectron(electronDir) {
  const pathFile = join(electronDir, 'path.txt');
  if (!existsSync(pathFile)) return null;
  const binary = join(electronDir, 'dist', readFileSync(pathFile, 'utf8').trim());
  return existsSync(binary) ? binary : null;
}

function ensureElectron() {
  let electronDir;
  try {
    electronDir = dirname(require.resolve('electron/package.json'));
  } catch {
    throw new StartError("the 'electron' package is not installed: run npm install first.");
  }
  const found = installedElectron(electronDir);
  if (found) return found;
  const { version } = JSON.parse(readFileSync(join(electronDir, 'package.json'), 'utf8'));
  console.log(`Downloading Electron ${version} (first start only)...`);
  // install-electron: the electron package's own installer (checksummed download into its dist/).
  const result = spawnSync(process.execPath, [join(electronDir, 'install.js')], {
    stdio: ['ignore', 'inherit', 'pipe'],
    encoding: 'utf8',
  });
  const binary = installedElectron(electronDir);
  if (result.status !== 0 || !binary) {
    const reason = (result.stderr || result.error?.message || '').split('\n').find((line) => line.trim()) ?? 'unknown error';
    throw new StartError(
      `could not download Electron ${version}: ${reason.trim()}\n` +
        'Check your internet connection (or set ELECTRON_MIRROR), then run npm start again.\n' +
        'Without Electron you can still use RiscStation in a browser: npx riscstation serve',
    );
  }
  return binary;
}

function run(command, args, what) {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' });
  if (result.status !== 0) throw new StartError(`${what} failed (see the messages above).`);
}

function build() {
  const npm = process.env.npm_execpath;
  if (npm && npm.endsWith('.js')) run(process.execPath, [npm, 'run', 'build'], 'npm run build');
  else run('npm', ['run', 'build'], 'npm run build');
  // The sandboxed preload is bundled separately as CommonJS (a second, cheap build step).
  run(process.execPath, [join(root, 'scripts', 'build-preload.mjs')], 'building the preload');
}

function launch(electron) {
  const env = { ...process.env };
  delete env.ELECTRON_RUN_AS_NODE; // would make the binary a plain Node
  const child = spawn(electron, [root, ...process.argv.slice(2)], { cwd: root, stdio: 'inherit', env });
  child.on('error', (error) => {
    console.error(`npm start: could not run Electron (${electron}): ${error.message}`);
    process.exitCode = 1;
  });
  child.on('exit', (code, signal) => {
    process.exitCode = code ?? (signal ? 1 : 0);
  });
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
}

try {
  const electron = ensureElectron();
  build();
  launch(electron);
} catch (error) {
  if (!(error instanceof StartError)) throw error;
  console.error(`npm start: ${error.message}`);
  process.exitCode = 1;
}
