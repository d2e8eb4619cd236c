import { describe, expect, it } from 'vitest';
import { SifiveTest, type PowerRequest } from '../../../../core/devices/sifive-test.js';

describe('sifive,test finisher', () => {
  it('0x5555 powers off with the exit code in the upper half, 0x3333 reports failure, 0x7777 reboots', () => {
    const requests: PowerRequest[] = [];
    const dev = new SifiveTest((r) => requests.push(r));
    dev.write(0, 4, 0x5555);
    dev.write(0, 4, (3 << 16) | 0x5555);
    dev.write(0, 4, (7 << 16) | 0x3333);
    dev.write(0, 4, 0x7777);
    dev.write(0, 4, 0x1234); // unknown status: ignored
    expect(requests).toEqual([
      { action: 'poweroff', code: 0, failed: false },
      { action: 'poweroff', code: 3, failed: false },
      { action: 'poweroff', code: 7, failed: true },
      { action: 'reboot' },
    ]);
  });

  it("a 16-bit write (OpenSBI's writew) powers off too; byte writes are ignored", () => {
    const requests: PowerRequest[] = [];
    const dev = new SifiveTest((r) => requests.push(r));
    dev.write(0, 1, 0x55);
    dev.write(0, 2, 0x5555);
    dev.write(0, 2, 0x7777);
    expect(requests).toEqual([{ action: 'poweroff', code: 0, failed: false }, { action: 'reboot' }]);
  });

  it('save/restore round-trips', () => {
    const a = new SifiveTest(() => {});
    const b = new SifiveTest(() => {});
    b.restore(JSON.parse(JSON.stringify(a.save())));
    expect(b.save()).toEqual(a.save());
  });
});
