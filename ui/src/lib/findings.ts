// A check's finding in the learner's language: the catalog's sentence for its code, filled with
// its facts (run results translated too). A code the catalog does not know yet falls back to
// the engine's English hint rather than to nothing.
import type { Finding } from './bindings';
import type { Messages } from './i18n/en';
import { fmt, i18n } from './i18n/index.svelte';

/** Params that hold a run's result (`success`, `failure`…), shown in the learner's words. */
const RESULTS = ['status', 'want'];

export function findingText(finding: Finding | undefined, hint: string, m: Messages = i18n.m): string {
  const template = finding ? (m.lesson.findings as Record<string, string>)[finding.code] : undefined;
  if (!finding || !template) return hint;
  const results = m.pipeline.result as Record<string, string>;
  const params: Record<string, string> = { ...finding.params };
  for (const key of RESULTS) {
    const value = params[key];
    if (value !== undefined) params[key] = results[value] ?? value;
  }
  return fmt(template, params);
}
