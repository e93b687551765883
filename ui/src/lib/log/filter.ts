// Which log lines Monitor shows: those of the charts' time window, at or above a level, and
// none added while paused. Levels are read from the words lines usually carry; a line with
// none is info.
import { LogBuffer, type LogLine } from './buffer';

export type Level = 'info' | 'warn' | 'error';

const ERROR = /\b(error|err|fatal|panic(ked)?|critical|crit)\b/i;
const WARN = /\b(warn(ing)?)\b/i;

export function levelOf(text: string): Level {
  if (ERROR.test(text)) return 'error';
  if (WARN.test(text)) return 'warn';
  return 'info';
}

const RANK: Record<Level, number> = { info: 0, warn: 1, error: 2 };

export interface LogFilter {
  /** The lowest level shown. */
  level: Level;
  /** Only lines printed at or after this (unix milliseconds); lines with no time are kept. */
  since: number;
}

export function keeps(line: LogLine, f: LogFilter): boolean {
  if (line.at !== undefined && line.at < f.since) return false;
  return RANK[levelOf(line.text)] >= RANK[f.level];
}

/** A new buffer with the lines of `all` that `f` keeps. */
export function refilter(all: LogBuffer, f: LogFilter): LogBuffer {
  const shown = new LogBuffer(all.maxLines, all.maxChars);
  for (let i = 0; i < all.length; i++) {
    const line = all.get(i)!;
    if (keeps(line, f)) shown.push(line);
  }
  return shown;
}
