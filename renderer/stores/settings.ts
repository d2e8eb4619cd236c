/**
 * UI preferences: language and theme. Each is either an explicit choice or 'system' (follow the
 * OS/browser). Persisted in the environment's storage (localStorage) under one versioned key.
 */
import { defineStore } from 'pinia';
import { computed, inject, ref } from 'vue';
import { isLocale, preferredLocale, type Locale } from '../i18n/index.js';
import { browserEnvironment, uiEnvironmentKey, type UiEnvironment } from '../services/environment.js';

export type LanguagePreference = Locale | 'system';
export type ThemePreference = 'light' | 'dark' | 'system';
export type Theme = 'light' | 'dark';

export const THEME_PREFERENCES: readonly ThemePreference[] = ['system', 'light', 'dark'];

/** The storage key; bump the version inside the value when its shape changes. */
export const SETTINGS_STORAGE_KEY = 'riscstation.settings';

interface StoredSettingsV1 {
  version: 1;
  language: LanguagePreference;
  theme: ThemePreference;
}

function isThemePreference(value: unknown): value is ThemePreference {
  return typeof value === 'string' && (THEME_PREFERENCES as readonly string[]).includes(value);
}

/** Reads stored settings, ignoring anything unreadable or unknown (a preference is never worth a crash). */
function load(env: UiEnvironment): { language: LanguagePreference; theme: ThemePreference } {
  const result: { language: LanguagePreference; theme: ThemePreference } = { language: 'system', theme: 'system' };
  try {
    const raw = env.storage?.getItem(SETTINGS_STORAGE_KEY);
    if (!raw) return result;
    const data = JSON.parse(raw) as Partial<StoredSettingsV1> | null;
    if (data?.version !== 1) return result;
    if (data.language === 'system' || isLocale(data.language)) result.language = data.language;
    if (isThemePreference(data.theme)) result.theme = data.theme;
  } catch {
    // Corrupt JSON or storage access denied: fall back to defaults.
  }
  return result;
}

export const useSettingsStore = defineStore('settings', () => {
  const env = inject(uiEnvironmentKey, null) ?? browserEnvironment(window);
  const initial = load(env);

  const language = ref<LanguagePreference>(initial.language);
  const theme = ref<ThemePreference>(initial.theme);
  const systemLocale = ref<Locale>(preferredLocale(env.languages()));
  const systemTheme = ref<Theme>(env.prefersDark() ? 'dark' : 'light');

  env.onLanguagesChange(() => {
    systemLocale.value = preferredLocale(env.languages());
  });
  env.onPrefersDarkChange(() => {
    systemTheme.value = env.prefersDark() ? 'dark' : 'light';
  });

  /** The language the UI shows now. */
  const locale = computed<Locale>(() => (language.value === 'system' ? systemLocale.value : language.value));
  /** The theme the UI shows now. */
  const effectiveTheme = computed<Theme>(() => (theme.value === 'system' ? systemTheme.value : theme.value));

  function save(): void {
    const data: StoredSettingsV1 = { version: 1, language: language.value, theme: theme.value };
    try {
      env.storage?.setItem(SETTINGS_STORAGE_KEY, JSON.stringify(data));
    } catch {
      // Quota or privacy mode: the choice still applies to this session.
    }
  }

  function setLanguage(value: LanguagePreference): void {
    language.value = value;
    save();
  }

  function setTheme(value: ThemePreference): void {
    theme.value = value;
    save();
  }

  return { language, theme, systemLocale, systemTheme, locale, effectiveTheme, setLanguage, setTheme };
});
