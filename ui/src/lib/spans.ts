// Text a learner reads, cut into spans: prose, and the parts that are code or facts (a
// command in backticks, a path, a commit message), which the page shows as code, verbatim.
import type { Diagnostic, Finding } from './bindings';
import type { Messages } from './i18n/en';
import { i18n } from './i18n/index.svelte';

export type Span = { text: string; code: boolean };

/** `text` with its `backticked` parts as code; an unpaired backtick stays as it is. */
export function codeSpans(text: string): Span[] {
  const parts = text.split('`');
  if (parts.length % 2 === 0) return [{ text, code: false }];
  return parts.map((t, i) => ({ text: t, code: i % 2 === 1 })).filter((s) => s.text !== '');
}

/** Params whose value is itself a word to translate: a run's result (`success`,
 *  `failure`…), or the kind of a YAML value (`list`, `mapping`…). */
function wordsFor(key: string, m: Messages): Record<string, string> | undefined {
  if (key === 'status' || key === 'want') return m.pipeline.result as Record<string, string>;
  if (key === 'kind') return m.diagnostics.kinds as Record<string, string>;
  if (key === 'metric') return m.operate.units;
  if (key === 'strategy') {
    // The engine's word for a strategy is the one people type (`blue-green`).
    const s = m.deploy.strategies;
    return { recreate: s.recreate.name, 'blue-green': s.blueGreen.name, rolling: s.rolling.name };
  }
  return undefined;
}

/** A check's finding as the catalog's sentence, its facts as code; a code the catalog does not
 *  know yet falls back to the engine's English hint rather than to nothing. */
export function findingSpans(finding: Finding | undefined, hint: string, m: Messages = i18n.m): Span[] {
  return fill(m.lesson.findings as Record<string, string>, finding, hint, m);
}

/** The same for why an action was refused (an engine error's detail), followed by what lies
 *  under it (`because`), each from whichever catalog knows its code. */
export function detailSpans(detail: Finding | undefined, message: string, m: Messages = i18n.m): Span[] {
  const details = m.errorDetails as Record<string, string>;
  if (!detail || !details[detail.code]) return fill(details, detail, message, m);
  return [...fill(details, detail, message, m), ...causes(detail, m)];
}

/** What happened, as the operations log keeps it, from the catalog that knows its code, with
 *  what lies under it after; a code no catalog knows yet falls back to the engine's English. */
export function opSpans(what: Finding, english: string, m: Messages = i18n.m): Span[] {
  const lines = m.operate.lines as Record<string, string>;
  if (!lines[what.code]) return codeSpans(english);
  return [...fill(lines, what, english, m), ...causes(what, m)];
}

/** What lies under a finding (`because`), each from whichever catalog knows its code. */
function causes(finding: Finding, m: Messages): Span[] {
  const catalogs = [m.errorDetails, m.lesson.findings, m.diagnostics.said, m.operate.lines] as Record<string, string>[];
  const out: Span[] = [];
  for (let under = finding.because; under; under = under.because) {
    const catalog = catalogs.find((c) => c[under!.code]);
    // A cause no catalog knows yet is left out: the sentence above already says what failed.
    if (!catalog) break;
    out.push({ text: ' ', code: false }, ...fill(catalog, under, '', m));
  }
  return out;
}

/** A problem in a workflow or lesson pack, in the learner's language: what it is (and what lies
 *  under it, such as a likely typo), or the engine's English for a code not in the catalog. */
export function diagnosticSpans(d: Diagnostic, m: Messages = i18n.m): Span[] {
  const said = m.diagnostics.said as Record<string, string>;
  if (!said[d.finding.code]) return codeSpans(d.message);
  return [...fill(said, d.finding, d.message, m), ...causes(d.finding, m)];
}

/** How to fix that problem, in the learner's language. */
export function diagnosticFixSpans(d: Diagnostic, m: Messages = i18n.m): Span[] {
  return fill(m.diagnostics.fix as Record<string, string>, d.finding, d.fix, m);
}

function fill(catalog: Record<string, string>, finding: Finding | undefined, fallback: string, m: Messages): Span[] {
  const template = finding ? catalog[finding.code] : undefined;
  if (!finding || !template) return codeSpans(fallback);
  const out: Span[] = [];
  const push = (text: string, code: boolean) => {
    if (text === '') return;
    const prev = out[out.length - 1];
    if (prev && prev.code === code) prev.text += text;
    else out.push({ text, code });
  };
  // The sentence's own `backticked` words (a key, a command) are code as well as its facts,
  // and a fact inside them (`lessons/{id}/`) is part of that code.
  const parts = template.split('`');
  const paired = parts.length % 2 === 1;
  (paired ? parts : [template]).forEach((part, i) => {
    const inCode = paired && i % 2 === 1;
    let last = 0;
    for (const match of part.matchAll(/\{(\w+)\}/g)) {
      const key = match[1]!;
      const value = finding.params[key];
      push(part.slice(last, match.index), inCode);
      const words = wordsFor(key, m);
      if (value === undefined) push(match[0], inCode);
      else if (words && !inCode) push(words[value] ?? value, false);
      else push(value, true);
      last = match.index + match[0].length;
    }
    push(part.slice(last), inCode);
  });
  return out;
}

/** The spans as one string, for titles and tests. */
export const plain = (spans: Span[]) => spans.map((s) => s.text).join('');
