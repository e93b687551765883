// The newest run, shared by the home loop (Build and Test show it) and the pipeline page.
import type { RunSummary } from './bindings';
import { getRuns } from './backend/pipeline';

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
