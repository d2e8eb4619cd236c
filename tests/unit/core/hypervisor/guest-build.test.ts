import { describe, expect, it } from 'vitest';
import {
  formatStepDuration,
  GuestBuildLog,
  parseGuestBuildLine,
  progressOfLine,
  type GuestBuildProgress,
} from '../../../../core/hypervisor/guest-build.js';

// Lines as scripts/build-guests.mjs --progress-json prints them (copied from a real run).
const START = '{"event":"start","step":2,"steps":12,"name":"extract kernel source /usr/src/linux-source-6.1.tar.xz"}';
const ACTIVITY = '{"event":"activity","step":5,"steps":12,"name":"build kernel Image","line":"  CC      fs/ext4/inode.o","seconds":725}';
const END = '{"event":"end","step":2,"steps":12,"name":"extract kernel source /usr/src/linux-source-6.1.tar.xz","seconds":9.5}';
const SKIP = '{"event":"skip","step":3,"steps":12,"name":"seed kernel build tree"}';
const DONE = '{"event":"done","upToDate":true,"dir":"/root/.cache/riscstation/guests/1c5dfa4627f0ea15"}';

describe('guest build progress lines', () => {
  it('parses each JSON line the script prints and ignores its human log', () => {
    expect(parseGuestBuildLine(START)).toEqual({ event: 'start', step: 2, steps: 12, name: 'extract kernel source /usr/src/linux-source-6.1.tar.xz' });
    expect(parseGuestBuildLine(DONE)).toEqual({ event: 'done', upToDate: true, dir: '/root/.cache/riscstation/guests/1c5dfa4627f0ea15' });
    expect(parseGuestBuildLine('[guests] up to date: /root/.cache/riscstation/guests/1c5d (Image, initramfs.cpio.gz, root.ext4)')).toBeNull();
    expect(parseGuestBuildLine('')).toBeNull();
  });

  it('treats malformed or unknown JSON as log text, not progress', () => {
    expect(parseGuestBuildLine('{"event":"start","step":0,"steps":12,"name":"x"}')).toBeNull();
    expect(parseGuestBuildLine('{"event":"launch","step":1,"steps":12,"name":"x"}')).toBeNull();
    expect(parseGuestBuildLine('{not json')).toBeNull();
  });

  it('turns a start into "step k of n", activity into a detail line with the time so far, and skips into nothing', () => {
    expect(progressOfLine(parseGuestBuildLine(START)!)).toEqual({ step: 2, steps: 12, what: 'extract kernel source /usr/src/linux-source-6.1.tar.xz' });
    expect(progressOfLine(parseGuestBuildLine(ACTIVITY)!)).toEqual({ step: 5, steps: 12, what: 'build kernel Image', detail: 'CC fs/ext4/inode.o (12 min so far)' });
    expect(progressOfLine(parseGuestBuildLine(END)!)?.detail).toBe('done in 9 s');
    expect(progressOfLine(parseGuestBuildLine(SKIP)!)).toBeNull();
    expect(progressOfLine(parseGuestBuildLine(DONE)!)).toBeNull();
  });

  it('says durations in seconds, minutes, then hours and minutes', () => {
    expect(formatStepDuration(0)).toBe('0 s');
    expect(formatStepDuration(59.9)).toBe('59 s');
    expect(formatStepDuration(60)).toBe('1 min');
    expect(formatStepDuration(3599)).toBe('59 min');
    expect(formatStepDuration(3900)).toBe('1 h 5 min');
  });
});

describe('following a build', () => {
  function follow(lines: string[]) {
    const seen: GuestBuildProgress[] = [];
    const log = new GuestBuildLog((p) => seen.push(p), 3);
    for (const l of lines) log.line(l);
    return { log, seen };
  }

  it('reports progress in order and ends done (up to date) after exit code 0 and a done line', () => {
    const { log, seen } = follow([START, '[guests] extract kernel source ...', END, SKIP, DONE]);
    expect(seen.map((p) => p.step)).toEqual([2, 2]);
    expect(log.outcome(0, null, false)).toEqual({ kind: 'done', upToDate: true, dir: '/root/.cache/riscstation/guests/1c5dfa4627f0ea15' });
  });

  it('a failed build carries the script\'s own error message when it printed one', () => {
    const { log } = follow([START, '{"event":"error","message":"another guest build is running (pid 42, lock /x/build.lock); wait for it to finish"}']);
    expect(log.outcome(1, null, false)).toEqual({ kind: 'failed', message: 'another guest build is running (pid 42, lock /x/build.lock); wait for it to finish' });
  });

  it('a build that died without a message fails with its last log lines (only the newest are kept)', () => {
    const { log } = follow(['[guests] a', '[guests] b', START, '[guests] c', '', '[guests] d']);
    expect(log.lastLines()).toEqual(['[guests] b', '[guests] c', '[guests] d']);
    const outcome = log.outcome(null, 'SIGKILL', false);
    expect(outcome.kind).toBe('failed');
    if (outcome.kind === 'failed') expect(outcome.message).toBe('the guest build was killed by SIGKILL; its last lines:\n[guests] b\n[guests] c\n[guests] d');
  });

  it('a cancelled build is cancelled however its process ended', () => {
    const { log } = follow([START]);
    expect(log.outcome(143, null, true)).toEqual({ kind: 'cancelled' });
    expect(log.outcome(null, 'SIGKILL', true)).toEqual({ kind: 'cancelled' });
  });
});
