import { describe, expect, it } from 'vitest';
import { en } from './i18n/en';
import { ko } from './i18n/ko';
import { codeSpans, detailSpans, diagnosticFixSpans, diagnosticSpans, findingSpans, plain } from './spans';

const findingText = (...args: Parameters<typeof findingSpans>) => plain(findingSpans(...args));

/** The engine's check sources, as text: the codes they give are read from them. */
const sources = import.meta.glob('../../../crates/engine/src/check/*.rs', { query: '?raw', import: 'default', eager: true }) as Record<string, string>;
/** The sources of the engine, the CLI and the app shell, for the reasons their errors give. */
const everything = Object.fromEntries(
  Object.entries({
    ...(import.meta.glob('../../../crates/*/src/**/*.rs', { query: '?raw', import: 'default', eager: true }) as Record<string, string>),
    ...(import.meta.glob('../../../src-tauri/src/**/*.rs', { query: '?raw', import: 'default', eager: true }) as Record<string, string>),
    // A file's unit tests make findings up; what ships is what is said.
  }).map(([file, text]) => [file, text.split('#[cfg(test)]')[0]!]),
);

/** Every code a `Finding::new(…)` outside the checks names, including those it picks among
 *  (`Finding::new(if … { "a" } else { "b" })`). */
function reasonCodes(): Set<string> {
  const codes = new Set<string>();
  for (const [file, text] of Object.entries(everything)) {
    if (file.includes('/engine/src/check/')) continue;
    for (const m of text.matchAll(/Finding::new\(([^)]*)\)/g)) {
      for (const c of m[1]!.matchAll(/"(\w+)"/g)) codes.add(c[1]!);
    }
  }
  return codes;
}

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
    const codes = reasonCodes();
    expect(codes.size).toBeGreaterThan(100);
    for (const code of codes) {
      expect({ ...en.errorDetails, ...en.lesson.findings, ...en.diagnostics.said, ...en.operate.lines }, code).toHaveProperty(code);
      expect({ ...ko.errorDetails, ...ko.lesson.findings, ...ko.diagnostics.said, ...ko.operate.lines }, code).toHaveProperty(code);
    }
  });
  it('fill every placeholder of a sentence from the facts its code is given with', () => {
    // `Finding::new("x").with("a", …).with("b", …)`: the sentence for x may name only a and b.
    // Its chain is read up to the statement's end or the next finding.
    for (const text of Object.values(everything)) {
      for (const m of text.matchAll(/Finding::new\(\s*"(\w+)"\s*\)([^;]*?)(?=;|Finding::new)/gs)) {
        const code = m[1]!;
        const given = new Set([...m[2]!.matchAll(/\.with\(\s*"(\w+)"/g)].map((g) => g[1]!));
        const catalogs = [en.errorDetails, ko.errorDetails, en.diagnostics.said, ko.diagnostics.said, en.diagnostics.fix, ko.diagnostics.fix, en.operate.lines, ko.operate.lines];
        for (const catalog of catalogs as Record<string, string>[]) {
          const sentence = catalog[code];
          if (!sentence) continue;
          for (const p of sentence.matchAll(/\{(\w+)\}/g)) expect(given, `${code} names {${p[1]}}`).toContain(p[1]);
        }
      }
    }
  });
  it('give as a fix only a command, which the page offers to copy, never a sentence', () => {
    const commands = ['devloop', 'git', 'docker', 'sudo', 'cargo', 'kill', 'ss', 'df', 'du', 'ls', 'mv', 'mkdir', 'unset', 'export', '$EDITOR'];
    const fixes: string[] = [];
    for (const text of Object.values(everything)) {
      for (const m of text.matchAll(/with_fix\(\s*(?:format!\(\s*)?"([^"]*)"/g)) fixes.push(m[1]!);
    }
    expect(fixes.length).toBeGreaterThan(30);
    for (const fix of fixes) expect(commands, fix).toContain(fix.split(' ')[0]);
  });
  it('say a failed deploy with what its health check found, each from its catalog', () => {
    const detail = {
      code: 'healthCheckFailed',
      params: { version: 'app 1.0.1', path: '/health' },
      because: {
        code: 'wrongStatus',
        params: { url: 'http://127.0.0.1:1/health', got: '500', want: '200' },
        because: { code: 'stillLive', params: { version: 'app 1.0.0' } },
      },
    };
    const text = plain(detailSpans(detail, 'app 1.0.1 failed its health check', ko));
    expect(text).toContain('app 1.0.1이(가) 헬스 체크(/health)를 통과하지 못했습니다.');
    expect(text).toContain('500');
    expect(text).toContain('app 1.0.0이(가) 그대로 서비스 중입니다.');
    expect(text).not.toMatch(/failed|still live/);
  });
  it('say a refusal in Korean with its facts as code', () => {
    const spans = detailSpans({ code: 'notNewer', params: { version: '0.0.9', last: '0.1.0' } }, '0.0.9 is not newer…', ko);
    expect(plain(spans)).toBe('0.0.9은 마지막 릴리스 0.1.0보다 새 버전이 아닙니다.');
    expect(spans.filter((s) => s.code).map((s) => s.text)).toEqual(['0.0.9', '0.1.0']);
  });
});

describe('workflow and lesson-pack problems', () => {
  /** The sources that find problems in a learner's or an instructor's files. */
  const checkers = Object.entries(everything).filter(([file]) =>
    /engine\/src\/(pipeline\/(workflow|yaml|compat|plan|mod|cron|lint)|workshop\/pack)\.rs$/.test(file),
  );

  it('say every problem the checkers find, and its fix, in both languages', () => {
    expect(checkers.length).toBe(8);
    const codes = new Set<string>();
    for (const [, text] of checkers) for (const m of text.matchAll(/Finding::new\(\s*"(\w+)"/g)) codes.add(m[1]!);
    expect(codes.size).toBeGreaterThan(60);
    for (const code of codes) {
      for (const m of [en, ko]) {
        expect(m.diagnostics.said, code).toHaveProperty(code);
        expect(m.diagnostics.fix, code).toHaveProperty(code);
      }
    }
  });

  const typo = {
    file: '.github/workflows/ci.yml',
    line: 7,
    column: 5,
    finding: {
      code: 'unknownKey',
      params: { key: 'run-on', what: 'jobs.build', valid: 'name, runs-on, steps' },
      because: { code: 'didYouMean', params: { near: 'runs-on' } },
    },
    message: '`run-on` is not a key of `jobs.build`',
    fix: 'did you mean `runs-on`? valid keys: name, runs-on, steps',
  };

  it('are said in Korean, with the key paths as code and a likely typo named', () => {
    const spans = diagnosticSpans(typo, ko);
    expect(plain(spans)).toBe('run-on은(는) jobs.build의 키가 아닙니다. runs-on을(를) 뜻했나요?');
    expect(spans.filter((s) => s.code).map((s) => s.text)).toEqual(['run-on', 'jobs.build', 'runs-on']);
    expect(plain(diagnosticFixSpans(typo, ko))).toBe('쓸 수 있는 키: name, runs-on, steps');
  });

  it('say the kind of a value in words, and keep a fact inside backticks as one piece of code', () => {
    const wrongKind = { ...typo, finding: { code: 'notMapping', params: { what: 'jobs.build.env', kind: 'list' } } };
    expect(plain(diagnosticSpans(wrongKind, ko))).toBe('jobs.build.env은(는) 목록이(가) 아니라 매핑(key: value 줄)이어야 합니다.');
    const noFolder = { ...typo, finding: { code: 'lessonNoFolder', params: { id: 'build' } } };
    expect(diagnosticFixSpans(noFolder, en).filter((s) => s.code).map((s) => s.text)).toEqual([
      'lessons/build/',
      'lesson.toml',
      'en.md',
      'ko.md',
      'lessons',
    ]);
  });

  it('fall back to the engine English for a code the catalog does not know yet', () => {
    const unknown = { ...typo, finding: { code: 'somethingNew', params: {} } };
    expect(plain(diagnosticSpans(unknown, ko))).toBe('run-on is not a key of jobs.build');
  });

  it('reach a refusal: the first problem is said under it, in the same language', () => {
    const detail = { code: 'workflowRefused', params: { count: '2', at: '.github/workflows/ci.yml:7:5' }, because: typo.finding };
    expect(plain(detailSpans(detail, 'the workflow was not started', ko))).toBe(
      '워크플로에 문제가 2개 있어 시작하지 않았습니다. 검사가 각 문제와 위치를 보여 줍니다. 첫 번째는 .github/workflows/ci.yml:7:5: run-on은(는) jobs.build의 키가 아닙니다. runs-on을(를) 뜻했나요?',
    );
  });
});
