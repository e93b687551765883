// The swarm target's node: its swarm as it is, made and left by DevLoop.
import type { SwarmState } from '../bindings';
import { commands } from '../commands';

export function getSwarmState(): Promise<SwarmState> {
  return commands.swarmState();
}

export function initSwarm(): Promise<SwarmState> {
  return commands.swarmInit();
}

export function leaveSwarm(): Promise<SwarmState> {
  return commands.swarmLeave();
}

/** Which sentence says this swarm: none, DevLoop's own, a learner's, a worker, or a node in
 * another state (pending, locked, error). Docker names no cluster to a worker. */
export function swarmKind(s: SwarmState): 'none' | 'ours' | 'theirs' | 'worker' | 'state' {
  if (s.nodeState === 'active' && !s.manager) return 'worker';
  if (!s.cluster) return s.nodeState === 'inactive' ? 'none' : 'state';
  return s.madeByDevloop ? 'ours' : 'theirs';
}
