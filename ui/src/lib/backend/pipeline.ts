// Pipelines: the workspace's workflows, runs streamed live, cancel, history.
import { Channel } from '@tauri-apps/api/core';
import type { RunEvent, RunSummary, RunUpdate, WorkflowView } from '../bindings';
import { call } from './ipc';

export function getWorkflows(): Promise<WorkflowView[]> {
  return call<WorkflowView[]>('pipeline_workflows');
}

/** Starts a run; resolves to its number at once, events follow through `onEvent`. */
export function startRun(file: string, onEvent: (event: RunEvent) => void): Promise<number> {
  const channel = new Channel<RunEvent>();
  channel.onmessage = onEvent;
  return call<number>('pipeline_run', { file, onEvent: channel });
}

export function cancelRun(number: number): Promise<void> {
  return call<void>('pipeline_cancel', { number });
}

export function getRuns(): Promise<RunSummary[]> {
  return call<RunSummary[]>('pipeline_runs');
}

/** Listens for runs started by pushes (a commit in the workspace); one listener at a time. */
export function subscribeRuns(onUpdate: (update: RunUpdate) => void): Promise<void> {
  const channel = new Channel<RunUpdate>();
  channel.onmessage = onUpdate;
  return call<void>('pipeline_subscribe', { onUpdate: channel });
}
