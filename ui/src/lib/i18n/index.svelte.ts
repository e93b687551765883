// The UI language: one reactive locale, switchable at any time without a restart.
import type { Locale } from '../bindings';
import { en, type Messages } from './en';
import { ko } from './ko';

export const catalogs: Record<Locale, Messages> = { en, ko };

let current = $state<Locale>('en');

export const i18n = {
  get locale(): Locale {
    return current;
  },
  set locale(locale: Locale) {
    current = locale;
    // Screen readers and hyphenation follow the document language.
    document.documentElement.lang = locale;
  },
  /** The messages of the current language. Reading it inside a component makes it reactive. */
  get m(): Messages {
    return catalogs[current];
  },
};

/** Fills `{name}` placeholders; an unknown placeholder stays visible so a missing value is noticed. */
export function fmt(template: string, params: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (whole, key: string) =>
    key in params ? String(params[key]) : whole,
  );
}
