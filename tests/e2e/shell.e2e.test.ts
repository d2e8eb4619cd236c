/**
 * The renderer shell in Debian's Chromium against `riscstation serve`: host facts in the status bar
 * come over the WebSocket API, the UI switches between English and Japanese (and the choice
 * survives a reload), keyboard use works, axe finds no serious accessibility problem, and the
 * page runs under the host's strict CSP without a single violation. Screenshots go to
 * test-results/e2e/.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { oracle } from '../helpers/oracles.js';

const ROOT = resolve(import.meta.dirname, '../..');
const CLI = join(ROOT, 'dist/core/host/cli/main.js');
const RENDERER_INDEX = join(ROOT, 'dist/renderer/index.html');
const SHOTS = join(ROOT, 'test-results/e2e');
const AXE = join(ROOT, 'node_modules/axe-core/axe.min.js');

const browser = oracle('chromium', 'chromium');

const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
  '--disable-quic',
];

/** `npm test` builds first; a targeted run (npx vitest run tests/e2e) builds what is missing. */
function ensureBuilt(): void {
  for (const [output, script] of [
    [CLI, 'build:core'],
    [RENDERER_INDEX, 'build:renderer'],
  ] as const) {
    if (existsSync(output)) continue;
    const run = spawnSync('npm', ['run', script], { cwd: ROOT, encoding: 'utf8' });
    if (!existsSync(output)) throw new Error(`npm run ${script} did not produce ${output}:\n${run.stdout}\n${run.stderr}`);
  }
}

/** Starts `riscstation serve --port 0` and resolves with the URL it prints. */
function startServer(home: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [CLI, 'serve', '--port', '0'], {
    cwd: ROOT,
    env: { ...process.env, RISCSTATION_HOME: home },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolvePromise, reject) => {
    let output = '';
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const url = /http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]+/.exec(output)?.[0];
      if (url) resolvePromise({ child, url });
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.on('exit', (code) => reject(new Error(`riscstation serve exited (${code}) before printing its URL:\n${output}`)));
    child.on('error', reject);
  });
}

async function stopServer(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: Array<{ target: string[] }>;
}

/** Runs axe-core on the page as it is now; returns the serious and critical violations. */
async function seriousAxeViolations(page: Page): Promise<string[]> {
  // Evaluated through the DevTools protocol, not a <script> tag: the page's CSP forbids inline scripts.
  await page.evaluate(readFileSync(AXE, 'utf8'));
  const violations = await page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run(context: Document, options: object): Promise<{ violations: AxeViolation[] }> } }).axe;
    const result = await axe.run(document, { resultTypes: ['violations'] });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target })) }));
  });
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact} ${v.id}: ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

describe.skipIf(!browser.available)('the RiscStation shell in Chromium', () => {
  let server: ChildProcess | undefined;
  let url = '';
  let context: BrowserContext | undefined;
  let page: Page;
  const temps: string[] = [];
  const cspViolations: string[] = [];
  const pageErrors: string[] = [];
  const apiFrames: string[] = [];

  beforeAll(async () => {
    ensureBuilt();
    mkdirSync(SHOTS, { recursive: true });
    const home = mkdtempSync(join(tmpdir(), 'riscstation-e2e-home-'));
    const profile = mkdtempSync(join(tmpdir(), 'riscstation-e2e-chromium-'));
    temps.push(home, profile);
    ({ child: server, url } = await startServer(home));

    context = await chromium.launchPersistentContext(profile, {
      executablePath: browser.path,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: { width: 1280, height: 800 },
      locale: 'en-US',
      colorScheme: 'light',
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.on('console', (message) => {
      if (/Content[- ]Security[- ]Policy/i.test(message.text())) cspViolations.push(message.text());
    });
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('websocket', (socket) => {
      if (new URL(socket.url()).pathname === '/api') {
        socket.on('framereceived', (frame) => apiFrames.push(String(frame.payload)));
      }
    });
    // Catches violations the console may not show (e.g. a blocked inline style attribute).
    await page.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (event) => {
        console.error(`Content Security Policy violation: ${event.violatedDirective} ${event.blockedURI} at ${event.sourceFile}:${event.lineNumber}:${event.columnNumber}`);
      });
    });
  }, 300_000);

  afterAll(async () => {
    await context?.close().catch(() => {});
    await stopServer(server);
    for (const dir of temps) rmSync(dir, { recursive: true, force: true });
  });

  it('shows the host CPU count and memory reported over the WebSocket API', async () => {
    await page.goto(url);
    await page.locator('[data-testid="status-connection"][data-status="connected"]').waitFor();

    const cpuCount = cpus().length;
    const cpusText = await page.getByTestId('status-cpus').innerText();
    expect(cpusText).toBe(cpuCount === 1 ? '1 CPU' : `${cpuCount} CPUs`);
    const memoryText = await page.getByTestId('status-memory').innerText();
    expect(memoryText).toBe(`${(totalmem() / 2 ** 30).toFixed(1)} GiB memory`);
    await expect(page.getByTestId('status-memory').getAttribute('data-bytes')).resolves.toBe(String(totalmem()));
    expect(await page.getByTestId('status-connection').innerText()).toContain('over WebSocket');

    // The numbers arrived in a host.info answer on the page's /api WebSocket.
    const hostInfo = apiFrames.map((f) => JSON.parse(f) as { result?: { cpuCount?: number; totalMemoryBytes?: number } }).find((m) => m.result?.cpuCount !== undefined);
    expect(hostInfo?.result).toMatchObject({ cpuCount, totalMemoryBytes: totalmem() });

    // The access token left the address bar once read.
    expect(new URL(page.url()).searchParams.has('token')).toBe(false);
  });

  it('shows an empty library with New VM offered and the power actions disabled', async () => {
    await expect(page.getByTestId('library-empty').innerText()).resolves.toContain('No virtual machines yet');
    for (const action of ['start', 'pause', 'stop', 'reset']) {
      expect(await page.getByTestId(`toolbar-${action}`).isDisabled(), action).toBe(true);
    }
    expect(await page.getByTestId('toolbar-new-vm').isEnabled()).toBe(true);
    await page.screenshot({ path: join(SHOTS, 'shell-en.png') });
  });

  it('is usable from the keyboard: skip link first, preferences open with Enter and close with Escape', async () => {
    await page.locator('body').focus();
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.className)).toContain('skip-link');
    await page.getByTestId('toolbar-settings').focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'Preferences' });
    await dialog.waitFor();
    // Focus moved into the modal dialog.
    expect(await page.evaluate(() => !!document.activeElement?.closest('dialog'))).toBe(true);
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
  });

  it('has no serious or critical accessibility violations (axe-core) in English', async () => {
    expect(await seriousAxeViolations(page)).toEqual([]);
  });

  it('switches to Japanese in Preferences, keeps it across a reload, and switches back', async () => {
    await page.getByTestId('toolbar-settings').click();
    await page.getByTestId('settings-language').selectOption('ja');
    await page.getByRole('dialog', { name: '環境設定' }).waitFor();
    expect(await page.getByRole('dialog').screenshot({ path: join(SHOTS, 'settings-ja.png') })).toBeTruthy();
    await expect(seriousAxeViolations(page)).resolves.toEqual([]);
    await page.getByRole('button', { name: '完了' }).click();

    const cpuCount = cpus().length;
    await expect(page.getByTestId('status-cpus').innerText()).resolves.toBe(`CPU ${cpuCount} 個`);
    await expect(page.getByTestId('toolbar-new-vm').innerText()).resolves.toBe('新規 VM');
    await expect(page.getByTestId('status-connection').innerText()).resolves.toContain('接続済み');
    await expect(page.getByTestId('library-empty').innerText()).resolves.toContain('仮想マシンはまだありません');
    await expect(page.locator('html').getAttribute('lang')).resolves.toBe('ja');
    await expect(seriousAxeViolations(page)).resolves.toEqual([]);
    await page.screenshot({ path: join(SHOTS, 'shell-ja.png') });

    // The choice is stored; the tab keeps its access token, so a reload reconnects in Japanese.
    await page.reload();
    await page.locator('[data-testid="status-connection"][data-status="connected"]').waitFor();
    await expect(page.getByTestId('toolbar-new-vm').innerText()).resolves.toBe('新規 VM');

    await page.getByTestId('toolbar-settings').click();
    await page.getByTestId('settings-language').selectOption('en');
    await page.getByRole('dialog', { name: 'Preferences' }).waitFor();
    await page.getByRole('button', { name: 'Done' }).click();
    await expect(page.getByTestId('toolbar-new-vm').innerText()).resolves.toBe('New VM');
    await expect(page.getByTestId('status-cpus').innerText()).resolves.toBe(cpuCount === 1 ? '1 CPU' : `${cpuCount} CPUs`);
    await expect(page.locator('html').getAttribute('lang')).resolves.toBe('en');
  });

  it('has a dark theme that also passes axe-core', async () => {
    await page.getByTestId('toolbar-settings').click();
    await page.getByTestId('settings-theme-dark').check();
    await page.getByRole('button', { name: 'Done' }).click();
    await expect(page.locator('html').getAttribute('data-theme')).resolves.toBe('dark');
    await expect(seriousAxeViolations(page)).resolves.toEqual([]);
    await page.screenshot({ path: join(SHOTS, 'shell-en-dark.png') });
    await page.getByTestId('toolbar-settings').click();
    await page.getByTestId('settings-theme-system').check();
    await page.getByRole('button', { name: 'Done' }).click();
    await expect(page.locator('html').getAttribute('data-theme')).resolves.toBe('light');
  });

  it('explains a page opened without the access token', async () => {
    const other = await context!.newPage();
    try {
      await other.goto(new URL(url).origin + '/');
      await other.locator('[data-testid="status-connection"][data-status="failed"]').waitFor();
      const text = await other.getByTestId('status-connection').innerText();
      expect(text).toContain('Connection failed');
      expect(text).toContain('no access token');
      expect(await other.getByTestId('status-reconnect').isVisible()).toBe(true);
    } finally {
      await other.close();
    }
  });

  it('shows the connection as lost when the host stops', async () => {
    await stopServer(server);
    await page.locator('[data-testid="status-connection"][data-status="disconnected"]').waitFor();
    expect(await page.getByTestId('status-connection').innerText()).toContain('Disconnected');
    expect(await page.getByTestId('status-reconnect').isVisible()).toBe(true);
    await page.screenshot({ path: join(SHOTS, 'shell-en-disconnected.png') });
  });

  it('ran under the host CSP without a violation or an uncaught error', () => {
    expect(cspViolations).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});
