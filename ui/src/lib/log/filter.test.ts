import { describe, expect, it } from 'vitest';
import { LogBuffer } from './buffer';
import { keeps, levelOf, refilter } from './filter';

describe('log levels and filters', () => {
  it('reads the level from the words a line carries', () => {
    expect(levelOf('2026 ERROR db down')).toBe('error');
    expect(levelOf('thread main panicked at x')).toBe('error');
    expect(levelOf('[warn] slow request')).toBe('warn');
    expect(levelOf('listening on port 8080')).toBe('info');
    expect(levelOf('terrorist')).toBe('info');
  });

  it('keeps the lines of the window at or above the level, and lines with no time', () => {
    const f = { level: 'warn' as const, since: 1000 };
    expect(keeps({ text: 'WARN a', stderr: false, step: 0, at: 1000 }, f)).toBe(true);
    expect(keeps({ text: 'WARN a', stderr: false, step: 0, at: 999 }, f)).toBe(false);
    expect(keeps({ text: 'info a', stderr: false, step: 0, at: 2000 }, f)).toBe(false);
    expect(keeps({ text: 'ERROR a', stderr: true, step: 0 }, f)).toBe(true);
  });

  it('rebuilds what is shown from a million lines', () => {
    const all = new LogBuffer();
    for (let i = 0; i < 1_000_000; i++) all.push({ text: i % 1000 === 0 ? `ERROR ${i}` : `line ${i}`, stderr: false, step: 0, at: i });
    const shown = refilter(all, { level: 'error', since: 500_000 });
    expect(shown.length).toBe(500);
    expect(shown.get(0)?.text).toBe('ERROR 500000');
  });
});
