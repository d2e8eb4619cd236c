/**
 * The Linux (busybox) template in Debian's Chromium against `riscstation serve` (fresh data folder):
 * the wizard creates the VM, showing the progress of the root-disk copy; Power On boots Linux to
 * the busybox shell in the xterm.js console, where `uname -a` answers `Linux ... riscv64`; the VM
 * powers off through its power button; deleting it with "keep disks" says where the disk went.
 * Skips when the guest is not built (`npm run guests`, about an hour).
 */
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiClient } from '../../core/api/index.js';
import { browser, openApp, seriousAxeViolations, SHOTS, templateUnavailable, waitForState, waitForTerminal, type AppUnderTest, type BrowserSession } from './support.js';

const TEMPLATE = 'linux-busybox';
const VM_NAME = 'Linux Workstation';
/** Linux boots in the emulator; on a loaded 2-core machine that takes a while. */
const BOOT_TIMEOUT = 300_000;

describe.skipIf(!browser.available)('the Linux (busybox) template in the RiscStation window', () => {
  let app: AppUnderTest;
  let home = '';
  let session: BrowserSession;
  let page: Page;
  let api: ApiClient;
  /** Why these tests cannot run here (null: they can). */
  let unsupported: string | null = null;
  let vmId = '';

  beforeAll(async () => {
    app = await openApp();
    ({ home, session, page, api } = app);
    unsupported = await templateUnavailable(api, TEMPLATE);
  }, 300_000);

  afterAll(async () => {
    await app?.close();
  });

  it('creates a VM from the template with the wizard, showing the root disk copy’s progress', async (ctx) => {
    ctx.skip(unsupported !== null, `Linux template tests skipped: ${unsupported}`);
    await page.getByTestId('toolbar-new-vm').click();
    const wizard = page.getByRole('dialog', { name: 'New Virtual Machine' });
    await wizard.waitFor();
    await page.getByTestId(`template-${TEMPLATE}`).click();
    await page.getByTestId('wizard-next').click();
    await wizard.getByTestId('vm-name').fill(VM_NAME);
    await page.getByTestId('wizard-next').click();
    await expect(wizard.getByTestId('vm-memory').inputValue()).resolves.toBe('256');
    await expect(wizard.getByTestId('vm-harts').inputValue()).resolves.toBe('1');
    await page.getByTestId('wizard-next').click();
    await expect(wizard.getByTestId('vm-cmdline').inputValue()).resolves.toBe('console=ttyS0 root=/dev/vda rw');
    await page.getByTestId('wizard-next').click();
    await expect(page.getByTestId('wizard-copy-note').innerText()).resolves.toMatch(/own copy of .*linux-busybox\/root\.ext4/);
    expect(await seriousAxeViolations(page)).toEqual([]);
    await page.screenshot({ path: join(SHOTS, 'linux-wizard-summary.png') });

    // The progress bar is there from the moment Create is pressed until the copy is done.
    const progressSeen = page.getByTestId('wizard-progress').waitFor({ state: 'attached', timeout: 60_000 });
    await page.getByTestId('wizard-create').click();
    await progressSeen;
    await wizard.waitFor({ state: 'hidden', timeout: 120_000 });

    const row = page.locator('[data-testid="library-vm"]', { hasText: VM_NAME });
    await row.waitFor();
    vmId = (await row.getAttribute('data-vm-id')) ?? '';
    const created = await api.vmGet(vmId);
    expect(created.config.disks).toEqual([{ path: join(home, 'vms', vmId, 'disks', 'root.ext4'), format: 'raw', readOnly: false }]);
    expect(existsSync(created.config.disks[0].path)).toBe(true);
  }, 240_000);

  it('powers on, boots to the busybox shell, `uname -a` answers Linux ... riscv64, Send Keys → Ctrl+Alt+Del reboots it', async (ctx) => {
    ctx.skip(unsupported !== null || vmId === '', `Linux template tests skipped: ${unsupported ?? 'no VM was created'}`);
    await page.getByTestId('toolbar-start').click();
    await waitForState(page, 'Running');
    await page.getByTestId('tab-console').click();
    await waitForTerminal(page, /root@riscstation:\/#/, BOOT_TIMEOUT);
    await page.locator('[data-testid="console-terminal"] .xterm').click();
    await page.keyboard.type('uname -a');
    await page.keyboard.press('Enter');
    await waitForTerminal(page, /uname -a\s*Linux riscstation 6\.\d+\S* .*riscv64/, 60_000);
    expect(await seriousAxeViolations(page)).toEqual([]);
    await page.screenshot({ path: join(SHOTS, 'linux-console-uname.png') });

    // Send Keys → Ctrl+Alt+Del presses the keys on the VM's keyboard: init reboots the guest,
    // which comes back to its prompt (read from the host's scrollback: the screen scrolls).
    await page.getByTestId('console-send-keys').click();
    await page.getByTestId('menu-ctrl-alt-del').click();
    const rebooted = async (): Promise<boolean> => {
      const { scrollback } = await api.consoleScrollback(vmId);
      const text = Buffer.from(scrollback ?? '', 'base64').toString('latin1');
      const restart = text.lastIndexOf('reboot: Restarting system');
      return restart >= 0 && /root@riscstation:\/# $/.test(text.slice(restart));
    };
    for (const end = Date.now() + BOOT_TIMEOUT; !(await rebooted()); ) {
      if (Date.now() > end) throw new Error('Ctrl+Alt+Del did not reboot the guest back to its prompt');
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    await waitForTerminal(page, /root@riscstation:\/#/, BOOT_TIMEOUT);

    // A graceful stop: the power button makes the guest shut down by itself.
    expect((await api.vmStop(vmId)).state).toBe('stopped');
    await waitForState(page, 'Powered off');
    await waitForTerminal(page, /reboot: Power down/, 30_000);
  }, BOOT_TIMEOUT + 120_000);

  it('deletes the VM keeping its disk, and says where the disk went', async (ctx) => {
    ctx.skip(unsupported !== null || vmId === '', `Linux template tests skipped: ${unsupported ?? 'no VM was created'}`);
    await page.locator('[data-testid="library-vm"]', { hasText: VM_NAME }).locator('.tree-item').click();
    await page.getByTestId('vm-delete').click();
    const dialog = page.getByRole('dialog', { name: 'Delete Virtual Machine' });
    await dialog.waitFor();
    await page.getByTestId('delete-keep-disks').check();
    expect(await seriousAxeViolations(page)).toEqual([]);
    await page.getByTestId('delete-confirm').click();
    const kept = page.getByTestId('delete-vm-kept');
    await kept.waitFor();
    const keptRoot = join(home, 'kept-disks');
    const [folder] = readdirSync(keptRoot);
    expect(await kept.innerText()).toContain(join(keptRoot, folder));
    expect(readdirSync(join(keptRoot, folder)).sort()).toEqual(['root.ext4', 'vm.json']);
    await page.screenshot({ path: join(SHOTS, 'linux-delete-kept.png') });
    await page.getByTestId('delete-close').click();
    await dialog.waitFor({ state: 'hidden' });
    expect(existsSync(join(home, 'vms', vmId))).toBe(false);
  }, 120_000);

  it('says what to run when the Linux guest is not built (an empty guest cache)', async () => {
    const emptyCache = mkdtempSync(join(tmpdir(), 'riscstation-e2e-cache-'));
    const other = await openApp({ env: { XDG_CACHE_HOME: emptyCache } });
    const { page: otherPage, session: otherSession } = other;
    try {
      await otherPage.getByTestId('toolbar-new-vm').click();
      await otherPage.getByRole('dialog', { name: 'New Virtual Machine' }).waitFor();
      const card = otherPage.getByTestId(`template-${TEMPLATE}`);
      await card.click();
      await expect(card.getByTestId('template-build-hint').innerText()).resolves.toContain('run “npm run guests” in RiscStation’s source folder (about an hour)');
      expect(await otherPage.getByTestId('wizard-next').isDisabled()).toBe(true);
      expect(await seriousAxeViolations(otherPage)).toEqual([]);
      await otherPage.screenshot({ path: join(SHOTS, 'linux-wizard-not-built.png') });
      expect(otherSession.cspViolations).toEqual([]);
      expect(otherSession.pageErrors).toEqual([]);
    } finally {
      await other.close();
      rmSync(emptyCache, { recursive: true, force: true });
    }
  }, 120_000);

  it('ran under the host CSP without a violation or an uncaught error', () => {
    expect(session.cspViolations).toEqual([]);
    expect(session.pageErrors).toEqual([]);
  });
});
