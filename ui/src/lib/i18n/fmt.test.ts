import { describe, expect, it } from 'vitest';
import { fmt } from './index.svelte';

describe('fmt', () => {
  it('fills every occurrence of a placeholder', () => {
    expect(fmt('{a} and {a} and {b}', { a: 1, b: 'x' })).toBe('1 and 1 and x');
  });
  it('leaves unknown placeholders visible', () => {
    expect(fmt('free: {free}', {})).toBe('free: {free}');
  });
});
