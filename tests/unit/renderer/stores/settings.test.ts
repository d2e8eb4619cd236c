import { describe, expect, it } from 'vitest';
import { SETTINGS_STORAGE_KEY, useSettingsStore } from '../../../../renderer/stores/settings.js';
import { createHarness, memoryEnvironment } from './harness.js';

describe('useSettingsStore', () => {
  it('follows the browser languages and the OS colour scheme by default', () => {
    const environment = memoryEnvironment({ languages: ['ja-JP', 'en'], dark: true });
    createHarness({ environment });
    const settings = useSettingsStore();
    expect(settings.language).toBe('system');
    expect(settings.locale).toBe('ja');
    expect(settings.effectiveTheme).toBe('dark');

    environment.setLanguages(['en-GB']);
    environment.setDark(false);
    expect(settings.locale).toBe('en');
    expect(settings.effectiveTheme).toBe('light');
  });

  it('an explicit choice wins over the system and persists', () => {
    const environment = memoryEnvironment({ languages: ['en-US'] });
    createHarness({ environment });
    const settings = useSettingsStore();
    settings.setLanguage('ja');
    settings.setTheme('dark');
    expect(settings.locale).toBe('ja');
    expect(settings.effectiveTheme).toBe('dark');
    expect(JSON.parse(environment.items.get(SETTINGS_STORAGE_KEY) ?? '')).toEqual({ version: 1, language: 'ja', theme: 'dark' });

    // A new window with the same storage starts with the saved choices.
    createHarness({ environment: memoryEnvironment({ languages: ['en-US'], stored: Object.fromEntries(environment.items) }) });
    const reopened = useSettingsStore();
    expect(reopened.language).toBe('ja');
    expect(reopened.theme).toBe('dark');
  });

  it('ignores stored settings it cannot read', () => {
    for (const stored of ['{not json', '{"version":2,"language":"ja"}', '{"version":1,"language":"fr","theme":"pink"}', 'null']) {
      createHarness({ environment: memoryEnvironment({ languages: ['en'], stored: { [SETTINGS_STORAGE_KEY]: stored } }) });
      const settings = useSettingsStore();
      expect(settings.language, stored).toBe('system');
      expect(settings.theme, stored).toBe('system');
    }
  });
});
