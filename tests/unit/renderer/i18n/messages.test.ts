import { describe, expect, it } from 'vitest';
import en from '../../../../renderer/i18n/en.js';
import ja from '../../../../renderer/i18n/ja.js';
import { LOCALES, createAppI18n, messages, preferredLocale } from '../../../../renderer/i18n/index.js';

/** Every leaf as [dotted key, value]. */
function leaves(tree: object, prefix = ''): Array<[string, unknown]> {
  return Object.entries(tree).flatMap(([key, value]): Array<[string, unknown]> =>
    value !== null && typeof value === 'object' ? leaves(value as object, `${prefix}${key}.`) : [[`${prefix}${key}`, value]],
  );
}

describe('UI messages', () => {
  it('English and Japanese have exactly the same keys', () => {
    const enKeys = leaves(en).map(([key]) => key).sort();
    const jaKeys = leaves(ja).map(([key]) => key).sort();
    expect(jaKeys).toEqual(enKeys);
  });

  it.each(LOCALES)('every %s message is a non-empty string', (locale) => {
    for (const [key, value] of leaves(messages[locale])) {
      expect(typeof value, key).toBe('string');
      expect((value as string).trim(), key).not.toBe('');
    }
  });

  it('Japanese text is actually translated, not English left in place', () => {
    // Product names, units and language names may be identical; sentences may not.
    const same = leaves(en).filter(([key, value]) => {
      const other = leaves(ja).find(([k]) => k === key)?.[1];
      return value === other && !/^(app\.name|language\.|errors\.generic)/.test(key);
    });
    expect(same).toEqual([]);
  });

  it('uses the same placeholders in both languages', () => {
    const placeholders = (text: unknown) => [...String(text).matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    const jaByKey = new Map(leaves(ja));
    for (const [key, value] of leaves(en)) {
      expect(placeholders(jaByKey.get(key)), key).toEqual(placeholders(value));
    }
  });

  it('every message compiles and renders in both languages', () => {
    const i18n = createAppI18n('en');
    for (const locale of LOCALES) {
      i18n.global.locale.value = locale;
      for (const [key] of leaves(en)) {
        const text = i18n.global.t(key, { filter: 'x', message: 'm', language: 'l', size: '1 GiB', version: '1' }, 2);
        expect(text, `${locale}:${key}`).not.toBe(key);
        expect(text, `${locale}:${key}`).not.toMatch(/[{}]/);
      }
    }
  });

  it('pluralises counts', () => {
    const i18n = createAppI18n('en');
    expect(i18n.global.t('status.cpus', 1)).toBe('1 CPU');
    expect(i18n.global.t('status.cpus', 8)).toBe('8 CPUs');
    expect(i18n.global.t('library.count', 0)).toBe('No virtual machines');
    i18n.global.locale.value = 'ja';
    expect(i18n.global.t('status.cpus', 8)).toBe('CPU 8 個');
  });
});

describe('preferredLocale', () => {
  it('takes the first supported language by primary subtag', () => {
    expect(preferredLocale(['ja-JP', 'en-US'])).toBe('ja');
    expect(preferredLocale(['fr-FR', 'ja', 'en'])).toBe('ja');
    expect(preferredLocale(['en-GB', 'ja'])).toBe('en');
  });

  it('falls back to English when no preferred language is supported', () => {
    expect(preferredLocale(['fr-FR', 'de'])).toBe('en');
    expect(preferredLocale([])).toBe('en');
  });
});
