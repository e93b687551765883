// Operate: what runs, scaling, chaos, the autoscaler, the load generator and the operations log.
import { Channel } from '@tauri-apps/api/core';
import type { Decision, LoadPlan, LoadReport, LogLine, OperateStatus, OpsEvent, Policy, ServiceStatus } from '../bindings';
import type { Messages } from '../i18n/en';
import { ko } from '../i18n/ko';
import { codeSpans, detailSpans, opSpans, plain, type Span } from '../spans';
import { commands } from '../commands';

export function getOperateStatus(): Promise<OperateStatus> {
  return commands.operateStatus();
}

export function scale(replicas: number): Promise<ServiceStatus> {
  return commands.operateScale({ replicas });
}

export function killOne(): Promise<string> {
  return commands.operateChaos();
}

export function setAutoscaler(enabled: boolean, policy: Policy): Promise<void> {
  return commands.operateAutoscaler({ enabled, policy });
}

export function runLoad(plan: LoadPlan, onProgress: (r: LoadReport) => void): Promise<LoadReport> {
  const channel = new Channel<LoadReport>();
  channel.onmessage = onProgress;
  return commands.operateLoad({ plan, onProgress: channel });
}

/** Follows a replica's output; a new call replaces the one before. */
export function followLogs(id: string, onLines: (lines: LogLine[]) => void): Promise<void> {
  const channel = new Channel<LogLine[]>();
  channel.onmessage = onLines;
  return commands.operateLogs({ id, onLines: channel });
}

export function stopLogs(): Promise<void> {
  return commands.operateLogsStop();
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

/** The CLI twin of scaling. */
export function scaleCommand(replicas: number): string {
  return `devloop scale ${replicas}`;
}

/** The CLI twin of the autoscaler's switch and policy; flags left at their defaults are left out. */
export function autoscaleCommand(enabled: boolean, p: Policy): string {
  if (!enabled) return 'devloop autoscale --off';
  const parts = ['devloop autoscale', `--${p.metric} ${p.targetPerReplica}`, `--min ${p.min}`, `--max ${p.max}`];
  const s = (ms: number) => Math.round(ms / 1000);
  if (s(p.upWindowMs) !== 3) parts.push(`--up-window ${s(p.upWindowMs)}`);
  if (s(p.downWindowMs) !== 10) parts.push(`--down-window ${s(p.downWindowMs)}`);
  if (s(p.cooldownMs) !== 5) parts.push(`--cooldown ${s(p.cooldownMs)}`);
  return parts.join(' ');
}

/** An operations log line in the learner's language: said by the catalog from its code and
 *  facts. Lines written before DevLoop kept those have their own Korean (and maybe a reason
 *  as a code), else English only. */
export function opLine(e: OpsEvent, m: Messages): Span[] {
  if (e.what) return opSpans(e.what, e.message, m);
  if (m === ko && e.messageKo && e.reason) {
    const why = plain(detailSpans(e.reason, '', ko));
    return codeSpans(why ? `${e.messageKo}: ${why}` : e.message);
  }
  return codeSpans(m === ko && e.messageKo ? e.messageKo : e.message);
}

/** Why the autoscaler chose what it did, in the learner's language. */
export function decisionLine(d: Decision, m: Messages): Span[] {
  return opSpans(d.why, d.reason, m);
}
