import { describe, expect, it } from 'vitest';
import { LogBuffer } from './buffer';

const line = (text: string) => ({ text, stderr: false, step: 1 });

describe('LogBuffer', () => {
  it('holds a million lines and reads any of them by index', () => {
    const b = new LogBuffer();
    for (let i = 1; i <= 1_000_000; i++) b.push(line(String(i)));
    expect(b.length).toBe(1_000_000);
    expect(b.get(0)?.text).toBe('1');
    expect(b.get(499_999)?.text).toBe('500000');
    expect(b.get(999_999)?.text).toBe('1000000');
    expect(b.get(1_000_000)).toBeUndefined();
    expect(b.find('999999', (t) => t)).toEqual([999_998]);
    expect(b.find('999999', (t) => t, 999_000)).toEqual([999_998]);
    expect(b.find('999999', (t) => t, 999_999)).toEqual([]);
    expect(b.find('1', (t) => t, 999_999)).toEqual([999_999]);
  });

  it('drops the oldest lines past its caps and counts them', () => {
    const b = new LogBuffer(10_000, 1_000_000);
    for (let i = 0; i < 20_000; i++) b.push(line(`line ${i}`));
    expect(b.length).toBeLessThanOrEqual(10_000);
    expect(b.dropped + b.length).toBe(20_000);
    expect(b.get(b.length - 1)?.text).toBe('line 19999');

    const wide = new LogBuffer(1_000_000, 100_000);
    for (let i = 0; i < 5000; i++) wide.push(line('x'.repeat(1000)));
    expect(wide.length * 1000).toBeLessThanOrEqual(100_000 + 4096 * 1000);
    expect(wide.dropped).toBeGreaterThan(0);
  });

  it('searches without case and sees through colour codes', () => {
    const b = new LogBuffer();
    b.push(line('\x1b[31merror\x1b[0m: Test failed'));
    b.push(line('all good'));
    const strip = (t: string) => t.replace(/\x1b\[[0-9;]*m/g, '');
    expect(b.find('ERROR: test', strip)).toEqual([0]);
    expect(b.find('', strip)).toEqual([]);
  });
});
