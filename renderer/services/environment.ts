/**
 * What the UI reads from the browser around it: persisted preferences, the user's languages and
 * the OS colour scheme. Stores take it by injection so their logic runs in unit tests (Node) with
 * an in-memory storage, and in the app with the real window.
 */
import type { InjectionKey } from 'vue';

export interface UiEnvironment {
  /** Where preferences persist (localStorage in the app); null when storage is unavailable. */
  readonly storage: Pick<Storage, 'getItem' | 'setItem'> | null;
  /** The user's preferred languages, most preferred first (navigator.languages). */
  languages(): readonly string[];
  /** Calls `listener` when the preferred languages change; returns an unsubscribe function. */
  onLanguagesChange(listener: () => void): () => void;
  /** True when the OS asks for a dark colour scheme. */
  prefersDark(): boolean;
  /** Calls `listener` when the OS colour scheme changes; returns an unsubscribe function. */
  onPrefersDarkChange(listener: () => void): () => void;
}

export const uiEnvironmentKey: InjectionKey<UiEnvironment> = Symbol('riscstation.ui-environment');

/** The environment of a real browser window (or Electron renderer). */
export function browserEnvironment(win: Window): UiEnvironment {
  let storage: Storage | null = null;
  try {
    storage = win.localStorage;
  } catch {
    // Storage disabled (privacy settings, opaque origin): preferences last for this session only.
  }
  const dark = win.matchMedia?.('(prefers-color-scheme: dark)');
  return {
    storage,
    languages: () => (win.navigator.languages?.length ? win.navigator.languages : [win.navigator.language]),
    onLanguagesChange(listener) {
      win.addEventListener('languagechange', listener);
      return () => win.removeEventListener('languagechange', listener);
    },
    prefersDark: () => dark?.matches ?? false,
    onPrefersDarkChange(listener) {
      dark?.addEventListener('change', listener);
      return () => dark?.removeEventListener('change', listener);
    },
  };
}
