// How runs and deploys ended, in words: one function per engine enum, each total over it, so
// a status the engine adds without a word in both catalogs fails the type check.
import type { DeployStatus, RunResult, RunStatus, Strategy } from '../bindings';
import type { Messages } from './en';

/** A run's status or a job's or step's result; `queued` and `idle` are the UI's own states. */
export function runStatusWord(m: Messages, s: RunStatus | RunResult | 'queued' | 'idle'): string {
  const words: Record<RunStatus | RunResult | 'queued' | 'idle', string> = m.pipeline.result;
  return words[s];
}

export function deployStatusWord(m: Messages, s: DeployStatus): string {
  const words: Record<DeployStatus, string> = m.deploy.status;
  return words[s];
}

/** A swarm task's state, or what Swarm wants it to be, as Swarm names them; a state a newer
 * Docker adds is shown as Docker says it. */
export function taskStateWord(m: Messages, s: string): string {
  const words: Record<string, string> = m.operate.tasks.states;
  return words[s] ?? s;
}

export function strategyName(m: Messages, s: Strategy): string {
  return m.deploy.strategies[s].name;
}

/** The colour a deploy's status takes: green when live, red when it did not go live, plain
 * while it runs or waits, and for a candidate a person took (its own deploy has the colour). */
export function deployTone(s: DeployStatus): 'success' | 'failure' | '' {
  if (s === 'live') return 'success';
  return s === 'running' || s === 'waiting' || s === 'approved' ? '' : 'failure';
}
