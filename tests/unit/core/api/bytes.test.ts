import { describe, expect, it } from 'vitest';
import { base64ToBytes, bytesToBase64, textToBase64 } from '../../../../core/api/bytes.js';

describe('base64 for console bytes', () => {
  it('matches Node’s Buffer encoding for every length up to 300 and all byte values', () => {
    for (let length = 0; length <= 300; length++) {
      const bytes = Uint8Array.from({ length }, (_, i) => (i * 73 + length) & 0xff);
      const expected = Buffer.from(bytes).toString('base64');
      expect(bytesToBase64(bytes)).toBe(expected);
      expect(Buffer.from(base64ToBytes(expected))).toEqual(Buffer.from(bytes));
    }
  });

  it('encodes text as UTF-8', () => {
    expect(textToBase64('ls -l ✓\r')).toBe(Buffer.from('ls -l ✓\r', 'utf8').toString('base64'));
  });

  it('rejects characters outside the alphabet', () => {
    expect(() => base64ToBytes('ab$d')).toThrow(/invalid base64/);
  });
});
