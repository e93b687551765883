import { describe, expect, it } from 'vitest';
import { en } from './i18n/en';
import { ko } from './i18n/ko';
import { codeSpans, detailSpans, findingSpans, plain } from './spans';

const findingText = (...args: Parameters<typeof findingSpans>) => plain(findingSpans(...args));

/** The engine's check sources, as text: the codes they give are read from them. */
const sources = import.meta.glob('../../../crates/engine/src/check/*.rs', { query: '?raw', import: 'default', eager: true }) as Record<string, string>;
/** All of the engine's sources, for the reasons its errors give. */
const everything = import.meta.glob('../../../crates/engine/src/**/*.rs', { query: '?raw', import: 'default', eager: true }) as Record<string, string>;

/** Every finding code the engine's checks can give. */
function engineCodes(): string[] {
  const codes = new Set<string>();
  for (const text of Object.values(sources)) {
    for (const m of text.matchAll(/Finding::new\(\s*"(\w+)"\s*\)/g)) codes.add(m[1]!);
  }
  return [...codes].sort();
}

describe('check findings', () => {
  it('have a sentence in both languages for every code the engine gives', () => {
    const codes = engineCodes();
    expect(codes.length).toBeGreaterThan(40);
    for (const code of codes) {
      expect(en.lesson.findings, code).toHaveProperty(code);
      expect(ko.lesson.findings, code).toHaveProperty(code);
    }
  });

  it('are said in the learner language, with run results translated and no regex in sight', () => {
    const text = findingText(
      { code: 'runEnded', params: { number: '3', workflow: '.github/workflows/ci.yml', status: 'failure', want: 'success' } },
      'run #3 of `ci.yml` ended failure, this step needs success',
      ko,
    );
    expect(text).toBe('.github/workflows/ci.yml의 실행 #3이 “실패”로 끝났습니다. 이 단계에는 “성공”이 필요합니다.');
    expect(findingText({ code: 'noMatchingCommit', params: { latest: 'wip' } }, 'no commit message matches `^feat(\\(.+\\))?: `', en)).toBe(
      'No commit message fits this step yet. The latest is “wip”.',
    );
  });

  it('fall back to the engine English hint for a code the catalog does not know', () => {
    expect(findingText({ code: 'somethingNew', params: {} }, 'the hint', ko)).toBe('the hint');
    expect(findingText(undefined, 'the hint', ko)).toBe('the hint');
  });
});

describe('spans', () => {
  it('set backticked parts and a finding facts as code', () => {
    expect(codeSpans('run `git init` there')).toEqual([
      { text: 'run ', code: false },
      { text: 'git init', code: true },
      { text: ' there', code: false },
    ]);
    expect(codeSpans('an odd ` backtick')).toEqual([{ text: 'an odd ` backtick', code: false }]);
    const spans = findingSpans({ code: 'noMatchingCommit', params: { latest: 'wip: x' } }, '', ko);
    expect(spans.filter((s) => s.code).map((s) => s.text)).toEqual(['wip: x']);
  });
});

describe('error details', () => {
  it('have a sentence in both languages for every reason the engine gives', () => {
    const codes = new Set<string>();
    for (const text of Object.values(everything)) {
      for (const m of text.matchAll(/with_detail\(\s*(?:crate::finding::)?Finding::new\(\s*"(\w+)"/g)) codes.add(m[1]!);
    }
    expect(codes.size).toBeGreaterThan(10);
    for (const code of codes) {
      expect(en.errorDetails, code).toHaveProperty(code);
      expect(ko.errorDetails, code).toHaveProperty(code);
    }
  });
  it('say a refusal in Korean with its facts as code', () => {
    const spans = detailSpans({ code: 'notNewer', params: { version: '0.0.9', last: '0.1.0' } }, '0.0.9 is not newer…', ko);
    expect(plain(spans)).toBe('0.0.9은 마지막 릴리스 0.1.0보다 새 버전이 아닙니다.');
    expect(spans.filter((s) => s.code).map((s) => s.text)).toEqual(['0.0.9', '0.1.0']);
  });
});
