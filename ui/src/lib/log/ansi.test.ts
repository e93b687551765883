import { describe, expect, it } from 'vitest';
import { parseAnsi, stripAnsi } from './ansi';

describe('parseAnsi', () => {
  it('keeps plain text as one plain segment', () => {
    expect(parseAnsi('hello')).toEqual([{ text: 'hello', classes: '' }]);
  });

  it('turns cargo-style colours into classes and resets them', () => {
    expect(parseAnsi('\x1b[1m\x1b[32m   Compiling\x1b[0m loop-service')).toEqual([
      { text: '   Compiling', classes: 'fg-2 bold' },
      { text: ' loop-service', classes: '' },
    ]);
  });

  it('folds bright, 256 and true colours into the 16-colour palette', () => {
    expect(parseAnsi('\x1b[91mx')[0]?.classes).toBe('fg-9');
    expect(parseAnsi('\x1b[38;5;196mx')[0]?.classes).toBe('fg-9');
    expect(parseAnsi('\x1b[38;2;0;0;0mx')[0]?.classes).toBe('fg-0');
    expect(parseAnsi('\x1b[48;5;2mx')[0]?.classes).toBe('bg-2');
  });

  it('drops cursor movement, screen clearing and title changes', () => {
    const hostile = '\x1b[2J\x1b[H\x1b]0;pwned\x07ok\x1b[10;10Hdone\x1b';
    expect(parseAnsi(hostile).map((s) => s.text).join('')).toBe('okdone');
    expect(stripAnsi(hostile)).toBe('okdone');
  });
});
