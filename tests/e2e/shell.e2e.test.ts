/**
 * The renderer shell in Debian's Chromium against `riscstation serve`: host facts in the status bar
 * come over the WebSocket API, the UI switches between English and Japanese (and the choice
 * survives a reload), keyboard use works, axe finds no serious accessibility problem, and the
 * page runs under the host's strict CSP without a single violation. Screenshots go to
 * test-results/e2e/.
 */
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { rmSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browser, CHROMIUM_ARGS, ensureBuilt, ensureShotsDir, freshHome, seriousAxeViolations, SHOTS, startServer, stopServer } from './support.js';

describe.skipIf(!browser.available)('the RiscStation shell in Chromium', () => {
  let server: ChildProcess | undefined;
  let url = '';
  let context: BrowserContext | undefined;
  let page: Page;
  const temps: string[] = [];
  const cspViolations: string[] = [];
  const pageErrors: string[] = [];
  const apiFrames: string[] = [];
  let home = '';

  beforeAll(async () => {
    ensureBuilt();
    ensureShotsDir();
    home = freshHome();
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

  it('has a dark theme that also passes axe-core; Preferences show the host’s data folder', async () => {
    await page.getByTestId('toolbar-settings').click();
    await expect(page.getByTestId('settings-data-dir').innerText()).resolves.toBe(home);
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
