// The learner's settings: UI language and workspace folder.
import type { Locale, Settings } from '../bindings';
import { commands } from '../commands';

export function getSettings(): Promise<Settings> {
  return commands.settingsGet();
}

export function setLocale(locale: Locale): Promise<Settings> {
  return commands.settingsSetLocale({ locale });
}

/** Moves the workspace to `path`; the workshop re-opens there. */
export function setWorkspace(path: string): Promise<Settings> {
  return commands.settingsSetWorkspace({ path });
}
