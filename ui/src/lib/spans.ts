// Text a learner reads, cut into spans: prose, and the parts that are code or facts (a
// command in backticks, a path, a commit message), which the page shows as code, verbatim.
import type { Finding } from './bindings';
import type { Messages } from './i18n/en';
import { i18n } from './i18n/index.svelte';

export type Span = { text: string; code: boolean };

/** `text` with its `backticked` parts as code; an unpaired backtick stays as it is. */
export function codeSpans(text: string): Span[] {
  const parts = text.split('`');
  if (parts.length % 2 === 0) return [{ text, code: false }];
  return parts.map((t, i) => ({ text: t, code: i % 2 === 1 })).filter((s) => s.text !== '');
}

/** Params that hold a run's result (`success`, `failure`…), said in the learner's words. */
const RESULTS = ['status', 'want'];

/** A check's finding as the catalog's sentence, its facts as code; a code the catalog does not
 *  know yet falls back to the engine's English hint rather than to nothing. */
export function findingSpans(finding: Finding | undefined, hint: string, m: Messages = i18n.m): Span[] {
  return fill(m.lesson.findings as Record<string, string>, finding, hint, m);
}

/** The same for why an action was refused (an engine error's detail), followed by what lies
 *  under it (`because`), each from whichever catalog knows its code. */
export function detailSpans(detail: Finding | undefined, message: string, m: Messages = i18n.m): Span[] {
  const details = m.errorDetails as Record<string, string>;
  const findings = m.lesson.findings as Record<string, string>;
  if (!detail || !details[detail.code]) return fill(details, detail, message, m);
  const out = fill(details, detail, message, m);
  for (let under = detail.because; under; under = under.because) {
    const catalog = details[under.code] ? details : findings[under.code] ? findings : undefined;
    // A cause no catalog knows yet is left out: the sentence above already says what failed.
    if (!catalog) break;
    out.push({ text: ' ', code: false }, ...fill(catalog, under, '', m));
  }
  return out;
}

function fill(catalog: Record<string, string>, finding: Finding | undefined, fallback: string, m: Messages): Span[] {
  const template = finding ? catalog[finding.code] : undefined;
  if (!finding || !template) return codeSpans(fallback);
  const results = m.pipeline.result as Record<string, string>;
  const out: Span[] = [];
  let last = 0;
  for (const match of template.matchAll(/\{(\w+)\}/g)) {
    const key = match[1]!;
    const value = finding.params[key];
    if (match.index > last) out.push({ text: template.slice(last, match.index), code: false });
    if (value === undefined) out.push({ text: match[0], code: false });
    else if (RESULTS.includes(key)) out.push({ text: results[value] ?? value, code: false });
    else out.push({ text: value, code: true });
    last = match.index + match[0].length;
  }
  if (last < template.length) out.push({ text: template.slice(last), code: false });
  return out;
}

/** The spans as one string, for titles and tests. */
export const plain = (spans: Span[]) => spans.map((s) => s.text).join('');
