import { describe, expect, it } from 'vitest';
import { en } from './en';
import { ko } from './ko';
import { GLOSSARY } from './glossary';
import { leaves, type Tree } from './leaves';


/** The Korean lessons, by path. */
const lessonsKo = import.meta.glob('../../../../workshops/*/lessons/*/ko.md', { query: '?raw', import: 'default', eager: true }) as Record<string, string>;
const lessonsEn = import.meta.glob('../../../../workshops/*/lessons/*/en.md', { query: '?raw', import: 'default', eager: true }) as Record<string, string>;

describe('the glossary', () => {
  it('is followed by every catalog message: an English term has its one Korean word', () => {
    const enLeaves = leaves(en);
    const koLeaves = leaves(ko as Tree);
    const broken: string[] = [];
    for (const [key, text] of enLeaves) {
      const k = koLeaves.get(key) ?? '';
      for (const term of GLOSSARY) {
        if (!term.en.test(text)) continue;
        if (!k.includes(term.ko)) broken.push(`${key}: “${k}” lacks ${term.ko}`);
        if (term.notKo && k.includes(term.notKo) && !/notif/i.test(text)) broken.push(`${key}: “${k}” says ${term.notKo}`);
      }
    }
    expect(broken, broken.join("\n")).toEqual([]);
  });

  it('is followed by the Korean lessons: alerts are 경보, and 알림 only where the English says notification', () => {
    expect(Object.keys(lessonsKo).length).toBeGreaterThan(5);
    for (const [path, text] of Object.entries(lessonsKo)) {
      const english = lessonsEn[path.replace(/ko\.md$/, 'en.md')] ?? '';
      if (text.includes('알림')) expect(english, path).toMatch(/notif|told/i);
      if (/\balert/i.test(english)) expect(text, path).toContain('경보');
    }
  });
});
