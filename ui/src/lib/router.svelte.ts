// Hash routes: #/ (the loop), #/stage/<id>, #/system, #/workshop, #/lesson/<id>, #/pipeline, #/releases, #/deploy, #/operate, #/monitor, #/plan, #/refine. Hashes keep the app one static page.
import type { Stage } from './bindings';

export type Route =
  | { name: 'home' }
  | { name: 'stage'; stage: Stage }
  | { name: 'system' }
  | { name: 'workshop' }
  | { name: 'pipeline' }
  | { name: 'releases' }
  | { name: 'deploy' }
  | { name: 'operate' }
  | { name: 'monitor' }
  | { name: 'plan' }
  | { name: 'refine' }
  | { name: 'lesson'; lesson: string };

const STAGES: readonly Stage[] = ['plan', 'code', 'build', 'test', 'release', 'deploy', 'operate', 'monitor'];

/** Reads a location hash; anything unknown is the home screen. */
export function parseRoute(hash: string): Route {
  const parts = hash.replace(/^#\/?/, '').split('/').filter(Boolean);
  if (parts[0] === 'stage' && parts.length === 2 && (STAGES as readonly string[]).includes(parts[1]!)) {
    return { name: 'stage', stage: parts[1] as Stage };
  }
  if (parts[0] === 'system' && parts.length === 1) return { name: 'system' };
  if (parts[0] === 'workshop' && parts.length === 1) return { name: 'workshop' };
  if (parts[0] === 'pipeline' && parts.length === 1) return { name: 'pipeline' };
  if (parts[0] === 'releases' && parts.length === 1) return { name: 'releases' };
  if (parts[0] === 'deploy' && parts.length === 1) return { name: 'deploy' };
  if (parts[0] === 'operate' && parts.length === 1) return { name: 'operate' };
  if (parts[0] === 'monitor' && parts.length === 1) return { name: 'monitor' };
  if (parts[0] === 'plan' && parts.length === 1) return { name: 'plan' };
  if (parts[0] === 'refine' && parts.length === 1) return { name: 'refine' };
  // Lesson ids are pack folder names: lower-case words and dashes.
  if (parts[0] === 'lesson' && parts.length === 2 && /^[a-z0-9-]{1,64}$/.test(parts[1]!)) {
    return { name: 'lesson', lesson: parts[1]! };
  }
  return { name: 'home' };
}

export function href(route: Route): string {
  switch (route.name) {
    case 'home':
      return '#/';
    case 'stage':
      return `#/stage/${route.stage}`;
    case 'system':
      return '#/system';
    case 'workshop':
      return '#/workshop';
    case 'pipeline':
      return '#/pipeline';
    case 'releases':
      return '#/releases';
    case 'deploy':
      return '#/deploy';
    case 'operate':
      return '#/operate';
    case 'monitor':
      return '#/monitor';
    case 'plan':
      return '#/plan';
    case 'refine':
      return '#/refine';
    case 'lesson':
      return `#/lesson/${route.lesson}`;
  }
}

let current = $state<Route>({ name: 'home' });
let previous = $state<Route | null>(null);

export const router = {
  get route(): Route {
    return current;
  },
  /** The route before the current one, so a page can put focus back where the learner was. */
  get previous(): Route | null {
    return previous;
  },
  go(route: Route) {
    location.hash = href(route);
  },
  /** Starts following the location hash; call once at start-up. */
  start() {
    current = parseRoute(location.hash);
    window.addEventListener('hashchange', () => {
      previous = current;
      current = parseRoute(location.hash);
    });
  },
};
