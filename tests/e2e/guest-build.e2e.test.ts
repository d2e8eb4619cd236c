/**
 * Building the Linux guest from the New VM wizard, in Debian's Chromium against `riscstation serve`
 * whose guest cache (XDG_CACHE_HOME) is an empty folder: the template shows the "Build guest
 * images" button; pressing it (from the keyboard) starts the real build script, whose step
 * progress appears (role=progressbar, step k of n, elapsed time); Cancel stops it and the wizard
 * says it was cancelled, with the button back. The real cache is never touched.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { linuxGuestBuilt } from '../helpers/linux-guest.js';
import { oracle } from '../helpers/oracles.js';
import { browser, openApp, seriousAxeViolations, SHOTS, type AppUnderTest } from './support.js';

const TEMPLATE = 'linux-busybox';
// The build can run here when the guest was built here before (the same tools and sources).
const canBuild = linuxGuestBuilt && oracle('riscv64-linux-gnu-gcc', 'gcc-riscv64-linux-gnu').available;

describe.skipIf(!browser.available)('building the Linux guest from the New VM wizard', () => {
  let app: AppUnderTest;
  let cache = '';
  let page: Page;

  beforeAll(async () => {
    cache = mkdtempSync(join(tmpdir(), 'riscstation-e2e-cache-'));
    app = await openApp({ env: { XDG_CACHE_HOME: cache } });
    ({ page } = app);
  }, 120_000);

  afterAll(async () => {
    await app?.close();
    if (cache) rmSync(cache, { recursive: true, force: true });
  });

  it('offers to build the guest images where the template says the guest is not built', async () => {
    await page.getByTestId('toolbar-new-vm').click();
    await page.getByRole('dialog', { name: 'New Virtual Machine' }).waitFor();
    await page.getByTestId('template-build-hint').waitFor();
    const panel = page.locator(`[data-testid="guest-build"][data-template="${TEMPLATE}"]`);
    await expect(panel.getByTestId('guest-build-start').innerText()).resolves.toBe('Build guest images (about an hour)');
    expect(await seriousAxeViolations(page)).toEqual([]);
    await page.screenshot({ path: join(SHOTS, 'guest-build-offer.png') });
  }, 60_000);

  it('starts the build from the keyboard, shows its steps and elapsed time, and cancels it', async (ctx) => {
    ctx.skip(!canBuild, 'the guest build tools are not installed here (npm run guests has not run)');
    const panel = page.locator(`[data-testid="guest-build"][data-template="${TEMPLATE}"]`);
    await panel.getByTestId('guest-build-start').focus();
    await page.keyboard.press('Enter');

    const bar = panel.getByRole('progressbar');
    await bar.waitFor();
    // Step 2 (extracting the kernel source) runs with the build lock taken: real work under way.
    await page.waitForFunction(
      (sel) => Number(document.querySelector(sel)?.getAttribute('aria-valuenow') ?? 0) >= 2,
      `[data-testid="guest-build"][data-template="${TEMPLATE}"] [role="progressbar"]`,
      { timeout: 60_000 },
    );
    expect(await bar.getAttribute('aria-valuemax')).toBe('12');
    expect(await bar.getAttribute('aria-valuetext')).toMatch(/^Step \d+ of 12: /);
    await expect(panel.getByTestId('guest-build-step').innerText()).resolves.toMatch(/Step \d+ of 12/);
    await expect(panel.getByTestId('guest-build-elapsed').innerText()).resolves.toMatch(/^Elapsed: \d+:\d\d$/);
    expect(existsSync(join(cache, 'riscstation', 'guests', 'build', 'build.lock'))).toBe(true);
    expect(await seriousAxeViolations(page)).toEqual([]);
    await page.screenshot({ path: join(SHOTS, 'guest-build-progress.png') });

    await panel.getByTestId('guest-build-cancel').click();
    await panel.getByTestId('guest-build-cancelled').waitFor({ timeout: 60_000 });
    await panel.getByTestId('guest-build-start').waitFor();
    expect(await panel.getByTestId('guest-build-start').innerText()).toBe('Build Again');
    expect(await bar.count()).toBe(0);
    // The host stopped every process of the build, which released its lock.
    expect(existsSync(join(cache, 'riscstation', 'guests', 'build', 'build.lock'))).toBe(false);
    // The template is still not usable: Next stays disabled for it.
    await page.getByTestId(`template-${TEMPLATE}`).click();
    expect(await page.getByTestId('wizard-next').isDisabled()).toBe(true);
    expect(await seriousAxeViolations(page)).toEqual([]);
    await page.screenshot({ path: join(SHOTS, 'guest-build-cancelled.png') });
  }, 180_000);
});
