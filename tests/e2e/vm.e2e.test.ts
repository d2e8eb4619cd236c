/**
 * Virtual machines in Debian's Chromium against `riscstation serve` (fresh data folder): the New VM
 * wizard (step checks, the host's refusal of a missing file) creates a VM from the OpenSBI + U-Boot
 * template; Power On shows U-Boot's `=>` prompt in the xterm.js console and `version` answers;
 * pause, resume, reset and power off; killing the VM's process marks it Crashed with a reason;
 * the settings of a powered-off VM change; the library's context menu works from the keyboard;
 * Japanese; delete. axe-core runs on each page. Screenshots go to test-results/e2e/, and one of the
 * library with a running VM and its console to docs/screenshot-library.png.
 */
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiClient } from '../../core/api/index.js';
import { browser, openApp, ROOT, seriousAxeViolations, SHOTS, templateUnavailable, waitForState, waitForTerminal, type AppUnderTest, type BrowserSession } from './support.js';
import { readFileSync } from 'node:fs';

const TEMPLATE = 'opensbi-uboot';
const VM_NAME = 'U-Boot Workstation';
const SECOND_NAME = 'Second U-Boot';
/** U-Boot boots in the emulator; on a loaded 2-core machine that can take a while. */
const BOOT_TIMEOUT = 180_000;

/** The text xterm.js shows now (its DOM renderer's rows). */
async function terminalText(page: Page): Promise<string> {
  return page.locator('[data-testid="console-terminal"] .xterm-rows').innerText();
}

async function stateText(page: Page): Promise<string> {
  return page.getByTestId('vm-state').innerText();
}

describe.skipIf(!browser.available)('virtual machines in the RiscStation window', () => {
  let app: AppUnderTest;
  let home = '';
  let session: BrowserSession;
  let page: Page;
  let api: ApiClient;
  /** Why the VM tests cannot run on this host (null: they can). */
  let unsupported: string | null = null;
  let vmId = '';
  /** Console bytes of the VM as a second client sees them (checks reset without reading the screen). */
  let consoleLog = '';

  beforeAll(async () => {
    app = await openApp();
    ({ home, session, page, api } = app);
    api.onEvent((event) => {
      if (event.type === 'console.output' && event.vmId === vmId) consoleLog += Buffer.from(event.data, 'base64').toString('latin1');
    });
    unsupported = await templateUnavailable(api, TEMPLATE);
  }, 300_000);

  afterAll(async () => {
    await app?.close();
  });

  it('the New VM wizard checks each step, says how to fix the input, and shows the host’s refusal', async (ctx) => {
    ctx.skip(unsupported !== null, `VM tests skipped: ${unsupported}`);
    await page.getByTestId('toolbar-new-vm').click();
    const wizard = page.getByRole('dialog', { name: 'New Virtual Machine' });
    await wizard.waitFor();
    await page.getByTestId(`template-${TEMPLATE}`).click();
    await page.screenshot({ path: join(SHOTS, 'wizard-template.png') });
    expect(await seriousAxeViolations(page)).toEqual([]);
    await page.getByTestId('wizard-next').click();

    // Name: empty is refused with a way out.
    await wizard.getByTestId('vm-name').fill('   ');
    await page.getByTestId('wizard-next').click();
    await expect(wizard.getByTestId('field-error').innerText()).resolves.toBe('Give the virtual machine a name.');
    expect(await wizard.getByTestId('vm-name').getAttribute('aria-invalid')).toBe('true');
    await wizard.getByTestId('vm-name').fill(VM_NAME);
    await expect(wizard.getByTestId('field-error').count()).resolves.toBe(0);
    await page.getByTestId('wizard-next').click();

    // Hardware: the template's values, limits checked as you go.
    await expect(wizard.getByTestId('vm-memory').inputValue()).resolves.toBe('256');
    await wizard.getByTestId('vm-memory').fill('8');
    await wizard.getByTestId('vm-memory').blur();
    await expect(wizard.getByTestId('field-error').innerText()).resolves.toBe('Choose from 16 to 2048 MiB of memory.');
    await wizard.getByTestId('vm-memory').fill('128');
    await wizard.getByTestId('vm-harts').fill('1');
    expect(await seriousAxeViolations(page)).toEqual([]);
    await page.screenshot({ path: join(SHOTS, 'wizard-hardware.png') });
    await page.getByTestId('wizard-next').click();

    // Boot files: a relative path is refused here; a missing file by the host on Create.
    const kernel = await wizard.getByTestId('vm-kernel').inputValue();
    expect(kernel).toBe('/usr/lib/u-boot/qemu-riscv64_smode/u-boot.bin');
    await wizard.getByTestId('vm-kernel').fill('u-boot.bin');
    await page.getByTestId('wizard-next').click();
    await expect(wizard.getByTestId('field-error').innerText()).resolves.toContain('Enter the full path of the kernel, starting with /');
    await wizard.getByTestId('vm-kernel').fill('/nonexistent/u-boot.bin');
    await page.getByTestId('wizard-next').click();
    await expect(page.getByTestId('wizard-summary').innerText()).resolves.toContain('/nonexistent/u-boot.bin');
    await page.getByTestId('wizard-create').click();
    const refusal = page.getByTestId('wizard-host-error');
    await refusal.waitFor();
    expect(await refusal.innerText()).toContain('/nonexistent/u-boot.bin');
    expect(await refusal.innerText()).toContain('Fix it on the “Boot Files and Disks” step.');
    await page.screenshot({ path: join(SHOTS, 'wizard-host-refusal.png') });
    await refusal.getByRole('button').click();
    await expect(wizard.getByTestId('field-error').innerText()).resolves.toContain('/nonexistent/u-boot.bin');
    await wizard.getByTestId('vm-kernel').fill(kernel);
    await page.getByTestId('wizard-next').click();
    expect(await seriousAxeViolations(page)).toEqual([]);
    await page.screenshot({ path: join(SHOTS, 'wizard-summary.png') });
    await page.getByTestId('wizard-create').click();
    await wizard.waitFor({ state: 'hidden' });

    // The new VM is in the library, selected, powered off.
    const row = page.locator('[data-testid="library-vm"]', { hasText: VM_NAME });
    await row.waitFor();
    expect(await row.locator('.tree-item').getAttribute('aria-current')).toBe('page');
    await expect(page.getByTestId('vm-title').innerText()).resolves.toBe(VM_NAME);
    await expect(stateText(page)).resolves.toBe('Powered off');
    vmId = (await row.getAttribute('data-vm-id')) ?? '';
    const created = await api.vmGet(vmId);
    expect(created.config).toMatchObject({ name: VM_NAME, harts: 1, memoryMiB: 128, kernel, firmware: { kind: 'file', path: '/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_jump.bin' } });
    await expect(page.getByTestId('vm-boot').innerText()).resolves.toContain(kernel);
    expect(await page.getByTestId('toolbar-start').isEnabled()).toBe(true);
    for (const action of ['pause', 'stop', 'reset']) expect(await page.getByTestId(`toolbar-${action}`).isDisabled(), action).toBe(true);
    expect(await seriousAxeViolations(page)).toEqual([]);
    await page.screenshot({ path: join(SHOTS, 'vm-summary-off.png') });
  }, 180_000);

  it('powers on and shows U-Boot’s prompt in the console; typing `version` gets U-Boot’s answer', async (ctx) => {
    ctx.skip(unsupported !== null || vmId === '', `VM tests skipped: ${unsupported ?? 'no VM was created'}`);
    await api.consoleAttach(vmId);
    await page.getByTestId('toolbar-start').click();
    await waitForState(page, 'Running');
    for (const action of ['pause', 'stop', 'reset']) expect(await page.getByTestId(`toolbar-${action}`).isEnabled(), action).toBe(true);
    expect(await page.getByTestId('toolbar-start').isDisabled()).toBe(true);

    await page.getByTestId('tab-console').click();
    await waitForTerminal(page, /=>\s*$/m, BOOT_TIMEOUT);
    await page.locator('[data-testid="console-terminal"] .xterm').click();
    await page.keyboard.type('version');
    await page.keyboard.press('Enter');
    // The rows' text has no line breaks: the command's echo runs straight into its answer.
    await waitForTerminal(page, /=> version\s*U-Boot 20\d\d\.\d\d/, 60_000);
    expect(await terminalText(page)).toMatch(/=> version\s*\n\s*U-Boot 20\d\d\.\d\d/);
    expect(await seriousAxeViolations(page)).toEqual([]);
    await page.screenshot({ path: join(SHOTS, 'vm-console-uboot.png') });
    await page.screenshot({ path: join(ROOT, 'docs/screenshot-library.png') });
  }, BOOT_TIMEOUT + 120_000);

  it('shows live statistics for the running VM', async (ctx) => {
    ctx.skip(unsupported !== null || vmId === '', `VM tests skipped: ${unsupported ?? 'no VM was created'}`);
    await page.getByTestId('tab-summary').click();
    // Two samples make a line; the chart counts what it holds.
    await page.waitForFunction(() => Number(document.querySelector('[data-testid="chart-mips"]')?.getAttribute('data-samples')) >= 2, undefined, { timeout: 30_000 });
    const pid = (await api.vmGet(vmId)).pid;
    await expect(page.getByTestId('vm-process').innerText()).resolves.toContain(`PID ${pid}`);
    await page.screenshot({ path: join(SHOTS, 'vm-summary-running.png') });
    await page.getByTestId('library-home').click();
    await page.getByTestId('host-vm-share').first().waitFor();
    await expect(page.getByTestId('host-panel').innerText()).resolves.toContain(VM_NAME);
    expect(await seriousAxeViolations(page)).toEqual([]);
    await page.screenshot({ path: join(SHOTS, 'home-host-panel.png') });
    await page.locator('[data-testid="library-vm"]', { hasText: VM_NAME }).locator('.tree-item').click();
  }, 120_000);

  it('pauses (the guest stops retiring instructions), resumes, resets and powers off', async (ctx) => {
    ctx.skip(unsupported !== null || vmId === '', `VM tests skipped: ${unsupported ?? 'no VM was created'}`);
    await page.getByTestId('toolbar-pause').click();
    await waitForState(page, 'Paused');
    expect(await page.getByTestId('toolbar-resume').isEnabled()).toBe(true);
    const first = await api.call({ type: 'vm.stats', id: vmId });
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const second = await api.call({ type: 'vm.stats', id: vmId });
    expect(second.instructionsRetired).toBe(first.instructionsRetired);
    await page.screenshot({ path: join(SHOTS, 'vm-paused.png') });

    await page.getByTestId('toolbar-resume').click();
    await waitForState(page, 'Running');
    await page.getByTestId('tab-console').click();
    await page.locator('[data-testid="console-terminal"] .xterm').click();
    await page.keyboard.type('setenv rs ok; echo resumed-${rs}');
    await page.keyboard.press('Enter');
    await waitForTerminal(page, /resumed-ok/, 60_000);

    const before = consoleLog.length;
    await page.getByTestId('toolbar-reset').click();
    // The firmware starts over: OpenSBI's banner and U-Boot's prompt come again.
    await expect.poll(() => consoleLog.slice(before), { timeout: BOOT_TIMEOUT, interval: 500 }).toMatch(/OpenSBI[\s\S]*=> $/);
    await expect(stateText(page)).resolves.toBe('Running');

    await page.getByTestId('toolbar-stop').click();
    await waitForState(page, 'Powered off');
    expect(await page.getByTestId('toolbar-start').isEnabled()).toBe(true);
    await expect(page.getByTestId('console-note').innerText()).resolves.toContain('powered off');
  }, 2 * BOOT_TIMEOUT + 120_000);

  it('marks the VM Crashed, with the reason, when its process is killed', async (ctx) => {
    ctx.skip(unsupported !== null || vmId === '', `VM tests skipped: ${unsupported ?? 'no VM was created'}`);
    await page.getByTestId('toolbar-start').click();
    await waitForState(page, 'Running');
    const { pid } = await api.vmGet(vmId);
    expect(pid).toBeGreaterThan(0);
    process.kill(pid!, 'SIGKILL');
    await waitForState(page, 'Crashed');
    const reason = await page.getByTestId('vm-crash-reason').innerText();
    expect(reason.length).toBeGreaterThan(0);
    expect(reason).not.toBe('The host did not say why.');
    await expect(page.getByTestId('library-vm-crash').innerText()).resolves.toContain('Crashed:');
    // The banner names the VM's log, which holds the same reason.
    const log = await page.getByTestId('vm-crash-log').innerText();
    expect(log).toBe(join(home, 'vms', vmId, 'logs', 'vm.log'));
    expect(readFileSync(log, 'utf8')).toContain(reason);
    expect(await page.getByTestId('toolbar-start').isEnabled()).toBe(true);
    await page.getByTestId('tab-summary').click();
    expect(await seriousAxeViolations(page)).toEqual([]);
    await page.screenshot({ path: join(SHOTS, 'vm-crashed.png') });
  }, 180_000);

  it('changes the settings of a powered-off VM, with the same checks as the wizard', async (ctx) => {
    ctx.skip(unsupported !== null || vmId === '', `VM tests skipped: ${unsupported ?? 'no VM was created'}`);
    await page.getByTestId('vm-edit').click();
    const dialog = page.getByRole('dialog', { name: `Settings of ${VM_NAME}` });
    await dialog.waitFor();
    await dialog.getByTestId('vm-harts').fill('9');
    await dialog.getByTestId('settings-save').click();
    await expect(dialog.getByTestId('field-error').innerText()).resolves.toBe('Choose from 1 to 8 harts.');
    await dialog.getByTestId('vm-harts').fill('2');
    await dialog.getByTestId('vm-memory').fill('192');
    expect(await seriousAxeViolations(page)).toEqual([]);
    await page.screenshot({ path: join(SHOTS, 'vm-settings.png') });
    await dialog.getByTestId('settings-save').click();
    await dialog.waitFor({ state: 'hidden' });
    const row = page.locator('[data-testid="library-vm"]', { hasText: VM_NAME });
    await expect.poll(() => row.innerText()).toContain('2 harts, 192 MiB');
    expect((await api.vmGet(vmId)).config).toMatchObject({ harts: 2, memoryMiB: 192 });
  }, 120_000);

  it('opens the library context menu from the keyboard with the actions the state allows', async (ctx) => {
    ctx.skip(unsupported !== null || vmId === '', `VM tests skipped: ${unsupported ?? 'no VM was created'}`);
    const item = page.locator('[data-testid="library-vm"]', { hasText: VM_NAME }).locator('.tree-item');
    await item.focus();
    await page.keyboard.press('Shift+F10');
    const menu = page.getByRole('menu');
    await menu.waitFor();
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('menu-start');
    expect(await page.getByTestId('menu-stop').isDisabled()).toBe(true);
    expect(await page.getByTestId('menu-delete').isEnabled()).toBe(true);
    await page.keyboard.press('ArrowDown');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('menu-edit');
    expect(await seriousAxeViolations(page)).toEqual([]);
    await page.screenshot({ path: join(SHOTS, 'library-context-menu.png') });
    await page.keyboard.press('Escape');
    await menu.waitFor({ state: 'hidden' });
    expect(await page.evaluate(() => document.activeElement?.classList.contains('tree-item'))).toBe(true);
  }, 120_000);

  it('shows the wizard and the library in Japanese', async (ctx) => {
    ctx.skip(unsupported !== null || vmId === '', `VM tests skipped: ${unsupported ?? 'no VM was created'}`);
    await page.getByTestId('toolbar-settings').click();
    await page.getByTestId('settings-language').selectOption('ja');
    await page.getByRole('button', { name: '完了' }).click();
    await expect(page.getByTestId('library-vm-state').first().innerText()).resolves.toBe('クラッシュ');
    await expect(page.locator('[data-testid="library-vm"]').first().innerText()).resolves.toContain('ハート 2 個');
    await expect(page.getByTestId('tab-console').innerText()).resolves.toBe('シリアル コンソール');
    expect(await seriousAxeViolations(page)).toEqual([]);
    await page.screenshot({ path: join(SHOTS, 'vm-ja.png') });

    await page.getByTestId('toolbar-new-vm').click();
    const wizard = page.getByRole('dialog', { name: '新しい仮想マシン' });
    await wizard.waitFor();
    await expect(page.getByTestId('wizard-step').innerText()).resolves.toContain('テンプレート');
    await expect(page.getByTestId('template-opensbi-uboot').innerText()).resolves.toContain('ブート ローダーのプロンプト');
    await page.getByTestId('wizard-next').click();
    await wizard.getByTestId('vm-name').fill(VM_NAME);
    await page.getByTestId('wizard-next').click();
    await expect(wizard.getByTestId('field-error').innerText()).resolves.toBe(`「${VM_NAME}」という仮想マシンは既にあります。別の名前にしてください。`);
    expect(await seriousAxeViolations(page)).toEqual([]);
    await page.screenshot({ path: join(SHOTS, 'wizard-ja.png') });
    await page.getByTestId('wizard-cancel').click();
    await wizard.waitFor({ state: 'hidden' });

    await page.getByTestId('toolbar-settings').click();
    await page.getByTestId('settings-language').selectOption('en');
    await page.getByRole('button', { name: 'Done' }).click();
    await expect(page.getByTestId('toolbar-new-vm').innerText()).resolves.toBe('New VM');
  }, 120_000);

  it('runs a second VM beside the first, both shown in the host panel, in the dark theme too', async (ctx) => {
    ctx.skip(unsupported !== null || vmId === '', `VM tests skipped: ${unsupported ?? 'no VM was created'}`);
    await page.getByTestId('toolbar-new-vm').click();
    const wizard = page.getByRole('dialog', { name: 'New Virtual Machine' });
    await wizard.waitFor();
    await page.getByTestId(`template-${TEMPLATE}`).click();
    await page.getByTestId('wizard-next').click();
    await wizard.getByTestId('vm-name').fill(SECOND_NAME);
    for (let i = 0; i < 3; i++) await page.getByTestId('wizard-next').click();
    await page.getByTestId('wizard-create').click();
    await wizard.waitFor({ state: 'hidden' });
    await expect(page.getByTestId('vm-title').innerText()).resolves.toBe(SECOND_NAME);
    await page.getByTestId('toolbar-start').click();
    await waitForState(page, 'Running');
    await page.locator('[data-testid="library-vm"]', { hasText: VM_NAME }).locator('.tree-item').click();
    await page.getByTestId('toolbar-start').click();
    await waitForState(page, 'Running');
    await expect(page.locator('[data-testid="library-vm-state"]', { hasText: 'Running' }).count()).resolves.toBe(2);

    await page.getByTestId('library-home').click();
    await expect.poll(() => page.getByTestId('host-vm-share').count(), { timeout: 30_000 }).toBe(2);
    await expect(page.getByTestId('host-admission').getAttribute('aria-valuenow')).resolves.not.toBeNull();
    await page.getByTestId('toolbar-settings').click();
    await page.getByTestId('settings-theme-dark').check();
    await page.getByRole('button', { name: 'Done' }).click();
    expect(await seriousAxeViolations(page)).toEqual([]);
    await page.screenshot({ path: join(SHOTS, 'home-two-vms-dark.png') });
    await page.locator('[data-testid="library-vm"]', { hasText: SECOND_NAME }).locator('.tree-item').click();
    await page.getByTestId('tab-console').click();
    await waitForTerminal(page, /=>\s*$/, BOOT_TIMEOUT);
    expect(await seriousAxeViolations(page)).toEqual([]);
    await page.screenshot({ path: join(SHOTS, 'vm-console-dark.png') });
    await page.getByTestId('toolbar-settings').click();
    await page.getByTestId('settings-theme-system').check();
    await page.getByRole('button', { name: 'Done' }).click();

    // Power both off from the library's context menu.
    for (const name of [SECOND_NAME, VM_NAME]) {
      await page.locator('[data-testid="library-vm"]', { hasText: name }).locator('.tree-item').click({ button: 'right' });
      await page.getByTestId('menu-stop').click();
      await waitForState(page, 'Powered off');
    }
  }, 2 * BOOT_TIMEOUT);

  it('deletes the VM after asking', async (ctx) => {
    ctx.skip(unsupported !== null || vmId === '', `VM tests skipped: ${unsupported ?? 'no VM was created'}`);
    await page.locator('[data-testid="library-vm"]', { hasText: VM_NAME }).locator('.tree-item').click();
    await page.getByTestId('vm-delete').click();
    const dialog = page.getByRole('dialog', { name: 'Delete Virtual Machine' });
    await dialog.waitFor();
    await expect(dialog.innerText()).resolves.toContain(`Delete “${VM_NAME}” and its files`);
    expect(await seriousAxeViolations(page)).toEqual([]);
    await page.getByTestId('delete-confirm').click();
    await dialog.waitFor({ state: 'hidden' });
    await page.locator('[data-testid="library-vm"]', { hasText: VM_NAME }).waitFor({ state: 'detached' });
    await expect(page.getByTestId('library-count').innerText()).resolves.toBe('1 virtual machine');
    expect((await api.vmList()).map((vm) => vm.name)).toEqual([SECOND_NAME]);
  }, 120_000);

  it('ran under the host CSP without a violation or an uncaught error', () => {
    expect(session.cspViolations).toEqual([]);
    expect(session.pageErrors).toEqual([]);
  });
});
