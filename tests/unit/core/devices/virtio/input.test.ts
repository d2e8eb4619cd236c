import { describe, expect, it } from 'vitest';
import {
  EV_KEY,
  EV_SYN,
  KEY_POWER,
  POWER_BUTTON_NAME,
  VIRTIO_INPUT_CFG_ABS_INFO,
  VIRTIO_INPUT_CFG_EV_BITS,
  VIRTIO_INPUT_CFG_ID_DEVIDS,
  VIRTIO_INPUT_CFG_ID_NAME,
  VIRTIO_INPUT_CFG_ID_SERIAL,
  VirtioInput,
} from '../../../../../core/devices/virtio/input.js';
import { REG_CONFIG, REG_DEVICE_ID, REG_STATUS, STATUS_DEVICE_NEEDS_RESET } from '../../../../../core/devices/virtio/mmio.js';
import { newMemory, TestDriver, Wire } from './virtio-driver.js';

const EVENTQ = 0;
const STATUSQ = 1;

function setup(init = true) {
  const memory = newMemory();
  const irq = new Wire();
  const logs: string[] = [];
  const dev = new VirtioInput({ memory, irq, log: (m) => logs.push(m) });
  const drv = new TestDriver(dev, memory);
  if (init) drv.init(2);
  return { dev, drv, memory, irq, logs };
}

/** What Linux's virtinput_cfg_select does: write select and subsel (bytes), read size and the answer. */
function query(dev: VirtioInput, select: number, subsel: number): Uint8Array {
  dev.write(REG_CONFIG + 0, 1, select);
  dev.write(REG_CONFIG + 1, 1, subsel);
  const size = dev.read(REG_CONFIG + 2, 1);
  const out = new Uint8Array(size);
  for (let i = 0; i < size; i++) out[i] = dev.read(REG_CONFIG + 8 + i, 1);
  return out;
}

function bitSet(bitmap: Uint8Array, bit: number): boolean {
  return (bit >> 3) < bitmap.length && (bitmap[bit >> 3] & (1 << (bit & 7))) !== 0;
}

function event(drv: TestDriver, addr: number) {
  const b = drv.bytes(addr, 8);
  const dv = new DataView(b.buffer, b.byteOffset, 8);
  return { type: dv.getUint16(0, true), code: dv.getUint16(2, true), value: dv.getUint32(4, true) };
}

describe('virtio-input power button (virtio 1.2 §5.8)', () => {
  it('is device 18 with no device feature bits', () => {
    const { drv } = setup();
    expect(drv.reg(REG_DEVICE_ID)).toBe(18);
    expect(drv.deviceFeatures() & 0xffff_ffffn).toBe((1n << 28n) | (1n << 29n)); // only the transport's
  });

  it('answers ID_NAME with its name and ID_DEVIDS with BUS_VIRTUAL', () => {
    const { dev } = setup();
    expect(new TextDecoder().decode(query(dev, VIRTIO_INPUT_CFG_ID_NAME, 0))).toBe(POWER_BUTTON_NAME);
    const ids = query(dev, VIRTIO_INPUT_CFG_ID_DEVIDS, 0);
    expect(ids.length).toBe(8);
    expect(ids[0] | (ids[1] << 8)).toBe(0x06);
  });

  it('has EV_KEY with exactly KEY_POWER, KEY_LEFTCTRL, KEY_LEFTALT, KEY_DELETE and EV_SYN with SYN_REPORT', () => {
    const { dev } = setup();
    const keys = query(dev, VIRTIO_INPUT_CFG_EV_BITS, EV_KEY);
    expect(keys.length).toBe((KEY_POWER >> 3) + 1);
    const ours = [KEY_POWER, 29, 56, 111]; // input-event-codes.h: KEY_LEFTCTRL, KEY_LEFTALT, KEY_DELETE
    for (let code = 0; code < keys.length * 8; code++) expect(bitSet(keys, code)).toBe(ours.includes(code));
    const syn = query(dev, VIRTIO_INPUT_CFG_EV_BITS, EV_SYN);
    expect(bitSet(syn, 0)).toBe(true);
  });

  it('answers size 0 for what it does not have (relative/absolute axes, serial, unknown selects)', () => {
    const { dev } = setup();
    expect(query(dev, VIRTIO_INPUT_CFG_EV_BITS, 0x02 /* EV_REL */).length).toBe(0);
    expect(query(dev, VIRTIO_INPUT_CFG_EV_BITS, 0x03 /* EV_ABS */).length).toBe(0);
    expect(query(dev, VIRTIO_INPUT_CFG_ABS_INFO, 0).length).toBe(0);
    expect(query(dev, VIRTIO_INPUT_CFG_ID_SERIAL, 0).length).toBe(0);
    expect(query(dev, 0x7f, 0).length).toBe(0);
    expect(query(dev, VIRTIO_INPUT_CFG_ID_NAME, 1).length).toBe(0);
  });

  it('delivers a press and release with EV_SYN into the eventq buffers the driver posted', () => {
    const { dev, drv, irq } = setup();
    const bufs = [0, 1, 2, 3].map(() => drv.alloc(8, 8));
    for (const b of bufs) drv.submit(EVENTQ, [{ addr: b, len: 8, write: true }]);
    expect(drv.usedIdx(EVENTQ)).toBe(0);
    expect(dev.pressPowerButton()).toBe(true);
    expect(drv.usedIdx(EVENTQ)).toBe(4);
    expect(irq.level).toBe(true);
    expect(bufs.map((b) => event(drv, b))).toEqual([
      { type: EV_KEY, code: KEY_POWER, value: 1 },
      { type: EV_SYN, code: 0, value: 0 },
      { type: EV_KEY, code: KEY_POWER, value: 0 },
      { type: EV_SYN, code: 0, value: 0 },
    ]);
    for (let i = 0; i < 4; i++) expect(drv.usedElem(EVENTQ, i).len).toBe(8);
  });

  it('presses Ctrl+Alt+Del as a keyboard does: down in order, up in reverse, each with SYN_REPORT', () => {
    const { dev, drv } = setup();
    const bufs = Array.from({ length: 12 }, () => drv.alloc(8, 8));
    for (const b of bufs) drv.submit(EVENTQ, [{ addr: b, len: 8, write: true }]);
    expect(dev.pressCtrlAltDel()).toBe(true);
    const syn = { type: EV_SYN, code: 0, value: 0 };
    const key = (code: number, value: number) => ({ type: EV_KEY, code, value });
    expect(bufs.map((b) => event(drv, b))).toEqual([key(29, 1), syn, key(56, 1), syn, key(111, 1), syn, key(111, 0), syn, key(56, 0), syn, key(29, 0), syn]);
    expect(setup(false).dev.pressCtrlAltDel()).toBe(false);
  });

  it('keeps events until the driver posts buffers', () => {
    const { dev, drv } = setup();
    dev.pressPowerButton();
    expect(dev.pendingEvents).toBe(4);
    const a = drv.alloc(8, 8);
    drv.submit(EVENTQ, [{ addr: a, len: 8, write: true }]);
    expect(event(drv, a)).toEqual({ type: EV_KEY, code: KEY_POWER, value: 1 });
    expect(dev.pendingEvents).toBe(3);
  });

  it('drops a press when no driver has set the device up (the host then hard-stops)', () => {
    const { dev } = setup(false);
    expect(dev.pressPowerButton()).toBe(false);
    expect(dev.pendingEvents).toBe(0);
  });

  it('consumes statusq buffers (LED events) without writing', () => {
    const { drv } = setup();
    const s = drv.alloc(8, 8);
    drv.put(s, new Uint8Array([0x11, 0, 0, 0, 1, 0, 0, 0])); // EV_LED LED_NUML on
    drv.submit(STATUSQ, [{ addr: s, len: 8 }]);
    expect(drv.usedIdx(STATUSQ)).toBe(1);
    expect(drv.usedElem(STATUSQ, 0).len).toBe(0);
  });

  it('a malformed eventq ring sets DEVICE_NEEDS_RESET and writes nothing', () => {
    const { dev, drv, logs } = setup();
    const outside = 0x7000_0000; // below RAM
    drv.submit(EVENTQ, [{ addr: outside, len: 8, write: true }]);
    dev.pressPowerButton();
    expect(drv.reg(REG_STATUS) & STATUS_DEVICE_NEEDS_RESET).toBe(STATUS_DEVICE_NEEDS_RESET);
    expect(drv.usedIdx(EVENTQ)).toBe(0);
    expect(logs.join('\n')).toMatch(/needs reset/);
    // After a reset and a fresh setup the button works again.
    drv.init(2);
    const a = drv.alloc(8, 8);
    drv.submit(EVENTQ, [{ addr: a, len: 8, write: true }]);
    expect(dev.pressPowerButton()).toBe(true);
    expect(event(drv, a).code).toBe(KEY_POWER);
  });

  it('an eventq buffer too small for an event sets DEVICE_NEEDS_RESET', () => {
    const { dev, drv } = setup();
    drv.submit(EVENTQ, [{ addr: drv.alloc(4), len: 4, write: true }]);
    dev.pressPowerButton();
    expect(drv.reg(REG_STATUS) & STATUS_DEVICE_NEEDS_RESET).toBe(STATUS_DEVICE_NEEDS_RESET);
    expect(drv.usedIdx(EVENTQ)).toBe(0);
  });

  it('save/restore keeps the config selection and undelivered events', () => {
    const { dev, memory } = setup();
    query(dev, VIRTIO_INPUT_CFG_EV_BITS, EV_KEY);
    dev.pressPowerButton();
    const state = dev.save();
    const copy = new VirtioInput({ memory });
    copy.restore(structuredClone(state));
    expect(copy.save()).toEqual(state);
    expect(copy.pendingEvents).toBe(4);
    expect(copy.read(REG_CONFIG + 2, 1)).toBe((KEY_POWER >> 3) + 1);
  });
});
