// Releases: the next version proposed from the commits, making one (progress over a Channel),
// and the releases made.
import { Channel } from '@tauri-apps/api/core';
import type { ReleaseEvent, ReleasePlan, ReleaseRecord } from '../bindings';
import { commands } from '../commands';

export function getReleasePlan(): Promise<ReleasePlan> {
  return commands.releasePlan();
}

export function createRelease(version: string | null, onEvent: (e: ReleaseEvent) => void): Promise<ReleaseRecord> {
  const channel = new Channel<ReleaseEvent>();
  channel.onmessage = onEvent;
  return commands.releaseCreate({ version, onEvent: channel });
}

export function getReleases(): Promise<ReleaseRecord[]> {
  return commands.releasesList();
}
