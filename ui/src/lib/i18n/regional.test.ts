import { describe, expect, it } from 'vitest';
import { rate, regionFor } from './regional';

describe('regionFor', () => {
  it('takes the region the OS gives for the UI language', () => {
    expect(regionFor('en', ['en-US', 'ko-KR'])).toBe('en-US');
    expect(regionFor('ko', ['en-US', 'ko-KR'])).toBe('ko-KR');
    expect(regionFor('en', ['en-GB'])).toBe('en-GB');
  });
  it('falls back to the language usual region when the OS speaks another language', () => {
    expect(regionFor('en', ['ko-KR'])).toBe('en-US');
    expect(regionFor('ko', [])).toBe('ko-KR');
  });
  it('writes an English date month first unless the OS says otherwise', () => {
    const d = new Date(Date.UTC(2026, 11, 24, 12));
    expect(d.toLocaleDateString(regionFor('en', []), { timeZone: 'UTC' })).toBe('12/24/2026');
  });
});

describe('rate', () => {
  it('drops decimals that say nothing', () => {
    expect(rate(24, 'en', [])).toBe('24');
    expect(rate(0.5, 'en', [])).toBe('0.5');
    expect(rate(1 / 3, 'ko', [])).toBe('0.33');
  });
});
