// Pipelines: the workspace's workflows, runs streamed live (in batches), re-runs, cancel, and
// the history with each run's details and logs.
import { Channel } from '@tauri-apps/api/core';
import type { RunDetail, RunEvent, RunSummary, RunUpdate, StepLog, WorkflowView } from '../bindings';
import { commands } from '../commands';
import { shellQuote } from '../shell';

export function getWorkflows(): Promise<WorkflowView[]> {
  return commands.pipelineWorkflows();
}

function eventChannel(onEvents: (events: RunEvent[]) => void): Channel<RunEvent[]> {
  const channel = new Channel<RunEvent[]>();
  channel.onmessage = onEvents;
  return channel;
}

/** Starts a run; resolves to its number at once, events follow through `onEvents`. */
export function startRun(
  file: string,
  inputs: Record<string, string>,
  onEvents: (events: RunEvent[]) => void,
): Promise<number> {
  return commands.pipelineRun({ file, inputs, onEvent: eventChannel(onEvents) });
}

/** Runs run `number` again (same commit, workflow and inputs); with `failedOnly`, only its
 *  failed jobs and those needing them. Resolves to the new number. */
export function rerun(number: number, onEvents: (events: RunEvent[]) => void, failedOnly = false): Promise<number> {
  return commands.pipelineRerun({ number, failedOnly, onEvent: eventChannel(onEvents) });
}

/** Opens a terminal with a shell where `job`'s failed step of run `number` ran. */
export function openShell(number: number, job: string): Promise<void> {
  return commands.pipelineShell({ number, job });
}

export function cancelRun(number: number): Promise<void> {
  return commands.pipelineCancel({ number });
}

export function getRuns(): Promise<RunSummary[]> {
  return commands.pipelineRuns();
}

export function getRunDetail(number: number): Promise<RunDetail> {
  return commands.pipelineDetail({ number });
}

export function getJobLog(number: number, job: string): Promise<StepLog[]> {
  return commands.pipelineLog({ number, job });
}

/** Listens for runs started by pushes (a commit in the workspace); one listener at a time. */
export function subscribeRuns(onUpdate: (update: RunUpdate) => void): Promise<void> {
  const channel = new Channel<RunUpdate>();
  channel.onmessage = onUpdate;
  return commands.pipelineSubscribe({ onUpdate: channel });
}

/** The `devloop run` command that does what the Run button does with these inputs. */
export function runCommand(cli: string, inputs: Record<string, string>): string {
  return [cli, ...Object.entries(inputs).map(([k, v]) => `--input ${shellQuote(`${k}=${v}`)}`)].join(' ');
}
