/**
 * The console under a flood, in Debian's Chromium against `riscstation serve` (fresh data folder):
 * a bare-metal guest (tests/guests/hypervisor/console-flood.S, built now) prints 64-byte counter
 * lines at 128 KiB/s for about four seconds. While it floods, the page must stay usable: a tab
 * switch takes effect, typed keys reach the guest (echoed back as ECHO lines), Send break reaches
 * its UART (BREAK), and every flood line arrives once and in order in the xterm buffer. The figures
 * (bytes/s the page received, event-loop lag, click-to-effect times) are printed, never asserted.
 * Also: the VM's hvc0 tab opens on its own (empty) stream.
 */
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiClient } from '../../core/api/index.js';
import { checkFloodLines } from '../helpers/console-flood.js';
import { buildHypervisorGuest, gcc } from '../integration/hypervisor-guests.js';
import { browser, openApp, seriousAxeViolations, SHOTS, type AppUnderTest, type BrowserSession } from './support.js';

const RATE = 128 * 1024;
const LINES = 8192; // 512 KiB, 4 s at RATE; fits xterm's 10 000-line scrollback
const SERIAL = '#vm-panel-console [data-testid="console-terminal"]';

/** The serial terminal's buffer (scrollback included; the last `tail` rows when given) as lines, wrapped rows joined. */
async function bufferText(page: Page, tail = Infinity): Promise<string> {
  return page.evaluate(([selector, tail]) => {
    type Line = { isWrapped: boolean; translateToString(trim: boolean): string };
    const el = document.querySelector(selector) as (Element & { xterm?: { buffer: { active: { length: number; getLine(i: number): Line | undefined } } } }) | null;
    const buffer = el?.xterm?.buffer.active;
    if (!buffer) return '';
    // The rows below the cursor are blank: count the tail from the last row with text.
    let end = buffer.length;
    while (end > 0 && buffer.getLine(end - 1)?.translateToString(true) === '') end--;
    const lines: string[] = [];
    for (let i = Math.max(0, end - tail); i < end; i++) {
      const line = buffer.getLine(i);
      if (!line) continue;
      const text = line.translateToString(true);
      if (line.isWrapped && lines.length > 0) lines[lines.length - 1] += text;
      else lines.push(text);
    }
    return lines.join('\r\n');
  }, [SERIAL, tail] as const);
}

/** Polls the last rows of the buffer (cheap: reading all 10 000 would load the page it measures). */
async function waitForBuffer(page: Page, pattern: RegExp, timeout = 60_000): Promise<void> {
  const end = Date.now() + timeout;
  while (!pattern.test(await bufferText(page, 20))) {
    if (Date.now() > end) throw new Error(`the console never showed ${pattern}; it ends with ${JSON.stringify((await bufferText(page, 10)).slice(-400))}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe.skipIf(!browser.available || !gcc.available)('the console under a 128 KiB/s flood', () => {
  let app: AppUnderTest;
  let session: BrowserSession;
  let page: Page;
  let api: ApiClient;

  beforeAll(async () => {
    app = await openApp();
    ({ session, page, api } = app);
  }, 120_000);

  afterAll(async () => {
    await app?.close();
  });

  it('stays responsive and shows every line once, in order; typed keys and a break reach the guest', async () => {
    const kernel = buildHypervisorGuest('console-flood', { RATE, LINES });
    const vm = await api.vmCreate({ name: 'Flood', firmware: { kind: 'none' }, kernel, memoryMiB: 32 });
    // What the host sends, seen by a second client (to tell the guest's rate from the page's).
    const hostSeen: [number, number][] = [];
    let hostBytes = 0;
    let hostText = '';
    api.onEvent((e) => {
      if (e.type !== 'console.output' || e.vmId !== vm.id) return;
      const bytes = Buffer.from(e.data, 'base64');
      hostBytes += bytes.length;
      hostText += bytes.toString('latin1');
      hostSeen.push([Date.now(), hostBytes]);
    });
    /** Waits until the guest said it (seen by this test's own client; the page's copy is checked whole at the end). */
    const guestSaid = async (pattern: RegExp, timeout = 60_000) => {
      await expect.poll(() => pattern.test(hostText), { timeout, interval: 20 }).toBe(true);
    };
    await api.consoleAttach(vm.id);
    await api.vmStart(vm.id);
    await page.locator('[data-testid="library-vm"]', { hasText: 'Flood' }).locator('.tree-item').click();
    await page.getByTestId('tab-console').click();
    await waitForBuffer(page, /console-flood ready/);
    await expect(page.getByTestId('tab-hvc0').count()).resolves.toBe(1);

    // Event-loop lag and the bytes the pane received, sampled in the page.
    await page.evaluate((selector) => {
      const w = window as unknown as { floodProbe: { lags: number[]; samples: [number, number][]; stop(): void } };
      const lags: number[] = [];
      const samples: [number, number][] = [];
      let last = performance.now();
      const tick = setInterval(() => {
        const now = performance.now();
        lags.push(Math.max(0, now - last - 50));
        last = now;
        samples.push([now, Number(document.querySelector(selector)?.getAttribute('data-received') ?? 0)]);
      }, 50);
      w.floodProbe = { lags, samples, stop: () => clearInterval(tick) };
    }, SERIAL);

    await page.locator(`${SERIAL} .xterm`).click();
    await page.keyboard.press('f');
    await guestSaid(/F000500 /);

    // Typed keys during the flood come back as ECHO lines; Send break as BREAK.
    let t0 = Date.now();
    await page.keyboard.type('hi');
    await guestSaid(/ECHO 68[\s\S]*ECHO 69/);
    const echoMs = Date.now() - t0;
    t0 = Date.now();
    await page.locator('#vm-panel-console [data-testid="console-send-keys"]').click();
    await page.getByTestId('menu-break').click();
    await guestSaid(/BREAK/);
    const breakMs = Date.now() - t0;
    const keysDuringFlood = !hostText.includes('FLOOD DONE');
    await page.screenshot({ path: join(SHOTS, 'console-flood.png') });
    // Tab switches while it floods: from the click until the frame after the panel shows, in the page.
    const switchTab = (testId: string, panel: string) =>
      page.evaluate(
        ([testId, panel]) =>
          new Promise<number>((resolve) => {
            const t0 = performance.now();
            (document.querySelector(`[data-testid="${testId}"]`) as HTMLElement).click();
            const check = () => {
              const el = document.querySelector(panel) as HTMLElement | null;
              if (el && el.offsetParent !== null) requestAnimationFrame(() => resolve(performance.now() - t0));
              else requestAnimationFrame(check);
            };
            check();
          }),
        [testId, panel] as const,
      );
    const summaryMs = Math.round(await switchTab('tab-summary', '#vm-panel-summary'));
    const hvcMs = Math.round(await switchTab('tab-hvc0', '#vm-panel-hvc0 [data-testid="console-terminal"] .xterm'));
    const backMs = Math.round(await switchTab('tab-console', SERIAL));
    expect(await page.locator(SERIAL).isVisible()).toBe(true);
    const floodingStill = !hostText.includes('FLOOD DONE');


    await waitForBuffer(page, /FLOOD DONE/, 120_000);
    const probe = await page.evaluate(() => {
      const w = window as unknown as { floodProbe: { lags: number[]; samples: [number, number][]; stop(): void } };
      w.floodProbe.stop();
      return { lags: w.floodProbe.lags, samples: w.floodProbe.samples };
    });
    const result = checkFloodLines(await bufferText(page));
    expect(result.lines).toBe(LINES);
    expect(result.echoes).toEqual(['66', '68', '69']);
    expect(result.breaks).toBe(1);

    // Figures: throughput over the samples in which bytes arrived, lag percentiles.
    const moving = probe.samples.filter((s, i) => i > 0 && s[1] > probe.samples[i - 1][1]);
    const first = moving[0];
    const last = moving[moving.length - 1];
    const seconds = (last[0] - first[0]) / 1000;
    const flood = hostSeen.filter(([, bytes]) => bytes > 4096);
    const hostRate = (flood[flood.length - 1][1] - flood[0][1]) / 1024 / ((flood[flood.length - 1][0] - flood[0][0]) / 1000);
    const lags = [...probe.lags].sort((a, b) => a - b);
    const pct = (p: number) => lags[Math.min(lags.length - 1, Math.floor((p / 100) * lags.length))].toFixed(1);
    console.log(
      `[console flood] guest paced at ${(RATE / 1024).toFixed(0)} KiB/s for ${LINES} lines; host sent ${hostRate.toFixed(1)} KiB/s; page received ${((last[1] - first[1]) / 1024 / seconds).toFixed(1)} KiB/s over ${seconds.toFixed(2)} s; ` +
        `event-loop lag (50 ms timer) median ${pct(50)} ms, p95 ${pct(95)} ms, max ${pct(100)} ms; ` +
        `click to the frame showing the panel: summary ${summaryMs} ms, hvc0 ${hvcMs} ms, serial ${backMs} ms${floodingStill ? ' (during the flood)' : ' (after it ended)'}; ` +
        `typed keys echoed after ${echoMs} ms, break after ${breakMs} ms${keysDuringFlood ? ' (during the flood)' : ' (after it ended)'}`,
    );
    expect(session.pageErrors).toEqual([]);

    // hvc0 is its own stream: nothing of the flood in it.
    await page.getByTestId('tab-hvc0').click();
    const hvcReceived = await page.locator('#vm-panel-hvc0 [data-testid="console-terminal"]').getAttribute('data-received');
    expect(hvcReceived ?? '0').toBe('0');
    await expect(page.locator('#vm-panel-hvc0 [data-testid="console-hvc0-note"]').innerText()).resolves.toContain('Linux guests run a shell on hvc0');
    expect(await seriousAxeViolations(page)).toEqual([]);
    await api.vmHardStop(vm.id);
  }, 300_000);
});
