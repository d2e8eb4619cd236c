/**
 * Both consoles of a Linux guest in a real VM process: busybox init runs a shell on ttyS0 (the
 * UART, stream `serial`) and one on hvc0 (the virtio-console every VM gets after its disks, stream
 * `hvc0`). Each answers on its own stream, and a break on the serial line reaches the kernel.
 * Needs the built VM runtime (npm run build:core) and the Linux guest (npm run guests).
 */
import { copyFileSync, existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { Hypervisor } from '../../core/hypervisor/hypervisor.js';
import { nodeHostPlatform } from '../../core/platform/node/host-setup.js';
import { NodeVmLauncher } from '../../core/platform/node/vm-launcher.js';
import { LINUX_GUEST_DIR, linuxGuestBuilt } from '../helpers/linux-guest.js';
import { oracleFile } from '../helpers/oracles.js';
import { FW_JUMP } from './boot-harness.js';
import { followConsole } from './console-follow.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const entry = join(root, 'dist/core/platform/node/vm-process-main.js');
const built = existsSync(entry);
const guestDir = LINUX_GUEST_DIR;
const guestBuilt = linuxGuestBuilt;
if (!built) console.warn(`[skip] ${entry} is missing: run npm run build:core`);
if (!guestBuilt) console.warn('[skip] the Linux guest is not built: npm run guests');
const fwJump = oracleFile(FW_JUMP, 'opensbi');

describe.skipIf(!built || !guestBuilt || !fwJump.available)('Linux consoles: a shell on ttyS0 and one on hvc0', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'rs-consoles-'));
  const hv = new Hypervisor(nodeHostPlatform(new NodeVmLauncher(entry)), {
    dataDir,
    templatesDir: join(root, 'resources/templates'),
    defaultFirmware: [],
    stopTimeoutMs: 1000,
  });
  afterAll(async () => {
    await hv.shutdown();
  });

  it('answers on hvc0 (its stdin is /dev/hvc0) and on the serial console (/dev/ttyS0), each on its own stream', async () => {
    const disk = join(dataDir, 'root.ext4');
    copyFileSync(join(guestDir, 'root.ext4'), disk);
    const vm = hv.create({
      name: 'linux',
      firmware: { kind: 'file', path: FW_JUMP },
      kernel: join(guestDir, 'Image'),
      initrd: join(guestDir, 'initramfs.cpio.gz'),
      cmdline: 'console=ttyS0 root=/dev/vda rw',
      disks: [{ path: disk, format: 'raw' }],
      memoryMiB: 256,
    });
    const serial = followConsole(hv, vm.id, 'serial');
    const hvc = followConsole(hv, vm.id, 'hvc0');
    await hv.start(vm.id);
    await serial.waitFor(/root@riscstation:[^\n]*# $/, 0);
    expect(serial.text).toMatch(/virtio-mmio|hvc0|virtio_console/);

    // The hvc0 shell is quiet until spoken to (no banner): ask it who it is.
    const tag = `hvc-${Math.floor(Math.random() * 1e6)}`;
    let from = hvc.text.length;
    hv.consoleInput(vm.id, new TextEncoder().encode(`echo ${tag}-$((6*7)); readlink /proc/self/fd/0\n`), 'hvc0');
    await hvc.waitFor(new RegExp(`${tag}-42\\r?\\n/dev/hvc0\\r?\\n[^\\n]*# $`), from, 60_000);
    expect(serial.text).not.toContain(`${tag}-42`);

    from = serial.text.length;
    const hvcBefore = hvc.text.length;
    hv.consoleInput(vm.id, new TextEncoder().encode(`echo serial-$((6*7)); readlink /proc/self/fd/0\n`));
    await serial.waitFor(/serial-42\r?\n\/dev\/ttyS0\r?\n[^\n]*# $/, from, 60_000);
    expect(hvc.text.length).toBe(hvcBefore);

    // Both at once: the two shells are independent.
    from = hvc.text.length;
    const sfrom = serial.text.length;
    hv.consoleInput(vm.id, new TextEncoder().encode('echo both-hvc\n'), 'hvc0');
    hv.consoleInput(vm.id, new TextEncoder().encode('echo both-serial\n'));
    await Promise.all([hvc.waitFor(/both-hvc\r?\n/, from, 60_000), serial.waitFor(/both-serial\r?\n/, sfrom, 60_000)]);

    // A break on the serial line reaches the 8250 driver as a break: with CONFIG_MAGIC_SYSRQ_SERIAL
    // the next key is a SysRq command ('h': help).
    from = serial.text.length;
    hv.consoleBreak(vm.id);
    hv.consoleInput(vm.id, new TextEncoder().encode('h'));
    await serial.waitFor(/sysrq: HELP/, from, 60_000);
    from = serial.text.length;
    hv.consoleInput(vm.id, new TextEncoder().encode('\necho after-break\n'));
    await serial.waitFor(/after-break\r?\n/, from, 60_000);

    await hv.hardStop(vm.id);
  }, 400_000);
});
