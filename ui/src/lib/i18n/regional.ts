// Dates and numbers as the learner reads them: the OS's own region when it speaks the UI's
// language (en-US and en-GB write dates differently), else that language's usual one.
import type { Locale } from '../bindings';

const FALLBACK: Record<Locale, string> = { en: 'en-US', ko: 'ko-KR' };

/** The BCP 47 tag to format with, for UI language `ui` and the OS languages `system`. */
export function regionFor(ui: Locale, system: readonly string[] = globalThis.navigator?.languages ?? []): string {
  return system.find((tag) => tag.toLowerCase().split('-')[0] === ui) ?? FALLBACK[ui];
}

/** A rate such as deploys a day: at most two decimals, and none when they are zero ("24", not "24.00"). */
export function rate(n: number, ui: Locale, system?: readonly string[]): string {
  return new Intl.NumberFormat(regionFor(ui, system), { maximumFractionDigits: 2 }).format(n);
}
