// The learner's settings: UI language and workspace folder.
import type { Locale, Settings } from '../bindings';
import { call } from './ipc';

export function getSettings(): Promise<Settings> {
  return call<Settings>('settings_get');
}

export function setLocale(locale: Locale): Promise<Settings> {
  return call<Settings>('settings_set_locale', { locale });
}

/** Moves the workspace to `path`; the workshop re-opens there. */
export function setWorkspace(path: string): Promise<Settings> {
  return call<Settings>('settings_set_workspace', { path });
}
