// What a finished run says about each job of its workflow's graph, read from its record: the
// graph shows the last run's results, not "not run yet", and a failed run opens on its red job.
import type { RunDetail, RunResult } from '../bindings';

export type JobState = { state: RunResult | 'running' | 'interrupted' | 'queued'; millis?: number };

/** Matrix instances are named `job (a, b)`: they belong to the graph's box for `job`. */
export const baseJob = (job: string) => job.replace(/ \(.*\)$/, '');

/** Which result a box shows when its matrix instances differ: the one that needs a look first. */
const RANK: JobState['state'][] = ['failure', 'interrupted', 'cancelled', 'success', 'skipped'];
const rank = (s: JobState['state']) => {
  const i = RANK.indexOf(s);
  return i < 0 ? RANK.length : i;
};

/** Each recorded job's result by graph box; a job with no record did not run in this run. */
export function jobStates(detail: RunDetail): Record<string, JobState> {
  const out: Record<string, JobState> = {};
  for (const j of detail.jobs) {
    // A job without a result in a run that ended was cut off with it.
    const state: JobState['state'] = j.result ?? (detail.run.status === 'running' ? 'running' : 'interrupted');
    const id = baseJob(j.job);
    const before = out[id];
    if (!before || rank(state) < rank(before.state)) out[id] = { state, millis: j.millis };
  }
  return out;
}

/** The job whose log a finished run opens on: the first that failed, else none. */
export function firstFailed(detail: RunDetail): string | null {
  return detail.jobs.find((j) => j.result === 'failure')?.job ?? null;
}
