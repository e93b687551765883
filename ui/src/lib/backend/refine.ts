// Refine: the DORA metrics of the workspace's app, now and week by week.
import type { LoopState, RefineView } from '../bindings';
import { call } from './ipc';

export function getRefineView(weeks: number, width: number, dark: boolean): Promise<RefineView> {
  return call<RefineView>('refine_view', { weeks, width, dark, utcOffsetMin: -new Date().getTimezoneOffset() });
}

/** What each stage of the home loop shows now. */
export function getLoopState(): Promise<LoopState> {
  return call<LoopState>('loop_state');
}

/** `3h 05m`, `2d 4h`, `42 s`, as the CLI says them. */
export function span(s: number): string {
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h ${String(Math.floor(s / 60) % 60).padStart(2, '0')}m`;
  return `${Math.floor(s / 86_400)}d ${Math.floor(s / 3600) % 24}h`;
}
