/**
 * What the e2e tests share: the build, `riscstation serve` on a fresh data folder, Chromium through
 * playwright-core with CSP-violation and error capture, and axe-core.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { WebSocket } from 'ws';
import { apiWebSocketUrl, createApiClient, createWebSocketTransport, type ApiClient, type TemplateInfo } from '../../core/api/index.js';
import { oracle } from '../helpers/oracles.js';

export const ROOT = resolve(import.meta.dirname, '../..');
export const CLI = join(ROOT, 'dist/core/host/cli/main.js');
export const RENDERER_INDEX = join(ROOT, 'dist/renderer/index.html');
export const SHOTS = join(ROOT, 'test-results/e2e');
export const AXE = join(ROOT, 'node_modules/axe-core/axe.min.js');

export const browser = oracle('chromium', 'chromium');

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
  '--disable-quic',
];

/** `npm test` builds first; a targeted run (npx vitest run tests/e2e) builds what is missing. */
export function ensureBuilt(): void {
  for (const [output, script] of [
    [CLI, 'build:core'],
    [RENDERER_INDEX, 'build:renderer'],
  ] as const) {
    if (existsSync(output)) continue;
    const run = spawnSync('npm', ['run', script], { cwd: ROOT, encoding: 'utf8' });
    if (!existsSync(output)) throw new Error(`npm run ${script} did not produce ${output}:\n${run.stdout}\n${run.stderr}`);
  }
}

/** Starts `riscstation serve --port 0` and resolves with the URL it prints (`env` adds variables). */
export function startServer(home: string, env: Record<string, string> = {}): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [CLI, 'serve', '--port', '0'], {
    cwd: ROOT,
    env: { ...process.env, ...env, RISCSTATION_HOME: home },
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

export async function stopServer(child: ChildProcess | undefined): Promise<void> {
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
export async function seriousAxeViolations(page: Page): Promise<string[]> {
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


/** A Chromium window on `url` with the page's CSP violations and uncaught errors collected. */
export interface BrowserSession {
  context: BrowserContext;
  page: Page;
  cspViolations: string[];
  pageErrors: string[];
  close(): Promise<void>;
}

export async function openBrowser(options: { locale?: string } = {}): Promise<BrowserSession> {
  const profile = mkdtempSync(join(tmpdir(), 'riscstation-e2e-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: browser.path,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1280, height: 800 },
    locale: options.locale ?? 'en-US',
    colorScheme: 'light',
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const cspViolations: string[] = [];
  const pageErrors: string[] = [];
  page.on('console', (message) => {
    if (/Content[- ]Security[- ]Policy/i.test(message.text())) cspViolations.push(message.text());
  });
  page.on('pageerror', (error) => pageErrors.push(error.message));
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) => {
      console.error(`Content Security Policy violation: ${event.violatedDirective} ${event.blockedURI} at ${event.sourceFile}:${event.lineNumber}:${event.columnNumber}`);
    });
  });
  return {
    context,
    page,
    cspViolations,
    pageErrors,
    async close() {
      await context.close().catch(() => {});
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** A fresh RISCSTATION_HOME. */
export function freshHome(): string {
  return mkdtempSync(join(tmpdir(), 'riscstation-e2e-home-'));
}

export function ensureShotsDir(): void {
  mkdirSync(SHOTS, { recursive: true });
}

/**
 * The app as a user opens it: `riscstation serve` on a fresh data folder (`env` adds variables),
 * an API client on its WebSocket (for setup and checks beside the page), and Chromium showing its
 * page once it says Connected. `close()` undoes all of it.
 */
export interface AppUnderTest {
  readonly server: ChildProcess;
  readonly url: string;
  /** The host's RISCSTATION_HOME. */
  readonly home: string;
  readonly api: ApiClient;
  readonly session: BrowserSession;
  readonly page: Page;
  close(): Promise<void>;
}

export async function openApp(options: { env?: Record<string, string> } = {}): Promise<AppUnderTest> {
  ensureBuilt();
  ensureShotsDir();
  const home = freshHome();
  const { child: server, url } = await startServer(home, options.env);
  const address = new URL(url);
  const api = createApiClient(createWebSocketTransport(new WebSocket(apiWebSocketUrl({ protocol: address.protocol, host: address.host }, address.searchParams.get('token') ?? ''))));
  const session = await openBrowser();
  const { page } = session;
  await page.goto(url);
  await page.locator('[data-testid="status-connection"][data-status="connected"]').waitFor();
  return {
    server,
    url,
    home,
    api,
    session,
    page,
    async close() {
      api.close();
      await session.close();
      await stopServer(server);
      rmSync(home, { recursive: true, force: true });
    },
  };
}

/** Why VMs from template `id` cannot be made on this host (missing files, an unbuilt guest), or null. */
export async function templateUnavailable(api: ApiClient, id: string): Promise<string | null> {
  const templates: TemplateInfo[] = await api.call({ type: 'template.list' });
  const template = templates.find((t) => t.id === id);
  if (!template) return `the host has no '${id}' template`;
  if (template.missing.length === 0) return null;
  return `the '${id}' template misses ${template.missing.map((m) => m.hint ?? `${m.path} (install ${m.package})`).join(', ')}`;
}

/** Waits until the visible rows of the page's console terminal match `pattern`. */
export async function waitForTerminal(page: Page, pattern: RegExp, timeout: number): Promise<void> {
  await page.waitForFunction(
    ([source, flags]) => new RegExp(source, flags).test(document.querySelector('[data-testid="console-terminal"] .xterm-rows')?.textContent ?? ''),
    [pattern.source, pattern.flags] as const,
    { timeout, polling: 250 },
  );
}

/** Waits until the VM page's state reads `text` ('Running', 'Powered off'...). */
export async function waitForState(page: Page, text: string, timeout = 60_000): Promise<void> {
  await page.locator('[data-testid="vm-state"]', { hasText: text }).waitFor({ timeout });
}
