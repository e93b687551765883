// The newest run, shared by the home loop (Build and Test show it) and the pipeline page.
import type { RunResult, RunStatus, RunSummary } from './bindings';
import { getRuns } from './backend/pipeline';
import { i18n } from './i18n/index.svelte';
import { runStatusWord } from './i18n/states';

/** A run's, job's or step's result in the learner's language. */
export function resultText(s: RunStatus | RunResult | 'queued' | 'idle' | undefined): string {
  return s === undefined ? '' : runStatusWord(i18n.m, s);
}

let last = $state<RunSummary | null>(null);

export const pipeline = {
  get last() {
    return last;
  },
  async refresh(): Promise<void> {
    try {
      last = (await getRuns())[0] ?? null;
    } catch {
      // No history yet (or no database): the loop simply shows no run state.
      last = null;
    }
  },
};
