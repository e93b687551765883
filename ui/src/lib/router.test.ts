import { describe, expect, it } from 'vitest';
import { href, parseRoute } from './router.svelte';

describe('routes', () => {
  it('round-trip through the hash', () => {
    for (const route of [
      { name: 'home' },
      { name: 'system' },
      { name: 'workshop' },
      { name: 'stage', stage: 'deploy' },
      { name: 'lesson', lesson: 'code' },
      { name: 'pipeline' },
      { name: 'releases' },
      { name: 'deploy' },
      { name: 'operate' },
    ] as const) {
      expect(parseRoute(href(route))).toEqual(route);
    }
  });
  it('send anything unknown or hostile home', () => {
    expect(parseRoute('#/stage/refine')).toEqual({ name: 'home' });
    expect(parseRoute('#/stage/plan/extra')).toEqual({ name: 'home' });
    expect(parseRoute('#/stage/<script>')).toEqual({ name: 'home' });
    expect(parseRoute('')).toEqual({ name: 'home' });
    expect(parseRoute('#/lesson/..%2F..')).toEqual({ name: 'home' });
    expect(parseRoute('#/lesson/Code<img>')).toEqual({ name: 'home' });
  });
});
