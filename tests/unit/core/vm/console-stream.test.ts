import { describe, expect, it } from 'vitest';
import { ConsoleStream } from '../../../../core/vm/console-stream.js';

const bytes = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array) => new TextDecoder().decode(b);

describe('ConsoleStream', () => {
  it('keeps everything while under capacity', () => {
    const c = new ConsoleStream(16);
    c.write(bytes('hello '));
    c.write(bytes('world'));
    expect(text(c.scrollback())).toBe('hello world');
  });

  it('keeps only the most recent bytes once full, in order, across wrap-around', () => {
    const c = new ConsoleStream(8);
    let all = '';
    for (let i = 0; i < 50; i++) {
      const chunk = String.fromCharCode(97 + (i % 26)).repeat(1 + (i % 5));
      all += chunk;
      c.write(bytes(chunk));
      expect(text(c.scrollback())).toBe(all.slice(-8));
    }
  });

  it('keeps the tail of a single write larger than the capacity', () => {
    const c = new ConsoleStream(4);
    c.write(bytes('ab'));
    c.write(bytes('0123456789'));
    expect(text(c.scrollback())).toBe('6789');
    expect(c.written).toBe(12);
  });

  it('fans new output out to every attached client, and a late client sees the scrollback first', () => {
    const c = new ConsoleStream(64);
    const a: string[] = [];
    const detachA = c.attach((b) => a.push(text(b)));
    c.write(bytes('boot\n'));
    const late = text(c.scrollback());
    const b: string[] = [];
    c.attach((x) => b.push(text(x)));
    c.write(bytes('=> '));
    detachA();
    c.write(bytes('help\n'));
    expect(a).toEqual(['boot\n', '=> ']);
    expect(late + b.join('')).toBe('boot\n=> help\n');
    expect(c.clients).toBe(1);
  });
});
