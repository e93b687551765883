import { describe, expect, it } from 'vitest';
import { swarmKind } from './swarm';

describe('swarmKind', () => {
  it('tells no swarm, DevLoop\'s own, a learner\'s, a worker and an unsettled node apart', () => {
    expect(swarmKind({ nodeState: 'inactive', manager: false, madeByDevloop: false })).toBe('none');
    expect(swarmKind({ nodeState: 'locked', manager: false, madeByDevloop: false })).toBe('state');
    expect(swarmKind({ nodeState: 'active', manager: true, cluster: 'abc', madeByDevloop: true })).toBe('ours');
    expect(swarmKind({ nodeState: 'active', manager: true, cluster: 'abc', madeByDevloop: false })).toBe('theirs');
    // As Docker reports a worker: in a swarm, with no cluster named.
    expect(swarmKind({ nodeState: 'active', manager: false, madeByDevloop: false })).toBe('worker');
  });
});
