// Releases: the next version proposed from the commits, making one (progress over a Channel),
// and the releases made.
import { Channel } from '@tauri-apps/api/core';
import type { ReleaseEvent, ReleasePlan, ReleaseRecord } from '../bindings';
import { call } from './ipc';

export function getReleasePlan(): Promise<ReleasePlan> {
  return call<ReleasePlan>('release_plan');
}

export function createRelease(version: string | null, onEvent: (e: ReleaseEvent) => void): Promise<ReleaseRecord> {
  const channel = new Channel<ReleaseEvent>();
  channel.onmessage = onEvent;
  return call<ReleaseRecord>('release_create', { version, onEvent: channel });
}

export function getReleases(): Promise<ReleaseRecord[]> {
  return call<ReleaseRecord[]>('releases_list');
}
