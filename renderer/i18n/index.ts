/** vue-i18n setup (composition mode) and the language choice that follows the OS/browser. */
import { createI18n } from 'vue-i18n';
import en, { type MessageSchema } from './en.js';
import ja from './ja.js';

/** Languages the UI is written in. */
export const LOCALES = ['en', 'ja'] as const;
export type Locale = (typeof LOCALES)[number];

export const messages: Record<Locale, MessageSchema> = { en, ja };

/**
 * The first supported language in the user's preference list (navigator.languages), matching on
 * the primary subtag ("ja-JP" -> ja); English when none is supported.
 */
export function preferredLocale(languages: readonly string[]): Locale {
  for (const tag of languages) {
    const primary = tag.toLowerCase().split('-')[0];
    const found = LOCALES.find((l) => l === primary);
    if (found) return found;
  }
  return 'en';
}

export function isLocale(value: unknown): value is Locale {
  return typeof value === 'string' && (LOCALES as readonly string[]).includes(value);
}

export function createAppI18n(locale: Locale) {
  return createI18n<[MessageSchema], Locale, false>({
    legacy: false,
    locale,
    fallbackLocale: 'en',
    messages,
    // Missing keys are bugs caught by the key-parity test, not something to warn about at run time.
    missingWarn: false,
    fallbackWarn: false,
  });
}

export type AppI18n = ReturnType<typeof createAppI18n>;
