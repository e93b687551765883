import { describe, expect, it } from 'vitest';
import { en } from './en';
import { ko } from './ko';
import { leaves, type Tree } from './leaves';

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('message catalogs', () => {
  const enLeaves = leaves(en);
  const koLeaves = leaves(ko as Tree);

  it('have exactly the same keys', () => {
    expect([...koLeaves.keys()].sort()).toEqual([...enLeaves.keys()].sort());
  });

  it('have no empty messages', () => {
    for (const [key, text] of [...enLeaves, ...koLeaves]) expect(text.trim(), key).not.toBe('');
  });

  it('use the same placeholders in both languages', () => {
    for (const [key, text] of enLeaves) {
      expect(placeholders(koLeaves.get(key) ?? ''), key).toEqual(placeholders(text));
    }
  });

  it('are really translated: stage texts in Korean contain Hangul', () => {
    for (const [key, text] of koLeaves) {
      if (key.startsWith('stages.')) expect(text, key).toMatch(/[\uac00-\ud7a3]/);
    }
  });

  it('teach the three practices with the correct Korean terms', () => {
    expect(ko.practices.integration.name).toContain('지속적 통합');
    expect(ko.practices.delivery.name).toContain('지속적 제공');
    expect(ko.practices.delivery.name).toContain('지속적 전달');
    expect(ko.practices.deployment.name).toBe('지속적 배포');
    // Delivery keeps a person in the loop; deployment does not.
    expect(en.practices.delivery.text).toMatch(/person decides/);
    expect(en.practices.deployment.text).toMatch(/by itself/);
  });
});
