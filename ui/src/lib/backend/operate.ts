// Operate: what runs, scaling, chaos, the autoscaler, the load generator and the operations log.
import { Channel } from '@tauri-apps/api/core';
import type { LoadPlan, LoadReport, LogLine, OperateStatus, Policy, ServiceStatus } from '../bindings';
import { call } from './ipc';

export function getOperateStatus(): Promise<OperateStatus> {
  return call<OperateStatus>('operate_status');
}

export function scale(replicas: number): Promise<ServiceStatus> {
  return call<ServiceStatus>('operate_scale', { replicas });
}

export function killOne(): Promise<string> {
  return call<string>('operate_chaos');
}

export function setAutoscaler(enabled: boolean, policy: Policy): Promise<void> {
  return call<void>('operate_autoscaler', { enabled, policy });
}

export function runLoad(plan: LoadPlan, onProgress: (r: LoadReport) => void): Promise<LoadReport> {
  const channel = new Channel<LoadReport>();
  channel.onmessage = onProgress;
  return call<LoadReport>('operate_load', { plan, onProgress: channel });
}

/** Follows a replica's output; a new call replaces the one before. */
export function followLogs(id: string, onLines: (lines: LogLine[]) => void): Promise<void> {
  const channel = new Channel<LogLine[]>();
  channel.onmessage = onLines;
  return call<void>('operate_logs', { id, onLines: channel });
}

export function stopLogs(): Promise<void> {
  return call<void>('operate_logs_stop');
}

/** Requests that got no 2xx answer. */
export function failed(r: LoadReport): number {
  return Object.entries(r.statuses)
    .filter(([s]) => !(Number(s) >= 200 && Number(s) < 300))
    .reduce((n, [, c]) => n + c, 0);
}

/** The CLI twin of a load run. */
export function loadCommand(plan: LoadPlan): string {
  return `devloop load --rps ${plan.rps} --duration ${Math.round(plan.durationMs / 1000)} --concurrency ${plan.concurrency} --ramp ${Math.round(plan.rampMs / 1000)}`;
}
