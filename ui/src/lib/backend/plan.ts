// Plan: the backlog's items, one in full, edits, sprints, and what went wrong made into a bug item.
import type { Item, ItemDetail, NewItem, PlanColumn, PlanSource, Sprint } from '../bindings';
import { call } from './ipc';
import { shellQuote } from '../shell';

export function getItems(): Promise<Item[]> {
  return call<Item[]>('plan_items');
}

export function addItem(item: NewItem): Promise<Item> {
  return call<Item>('plan_add', { item });
}

/** Item `id` in full: its description rendered, its commits, runs, releases and deploys. */
export function getItem(id: number): Promise<ItemDetail> {
  return call<ItemDetail>('plan_item', { id });
}

export function editItem(id: number, item: NewItem): Promise<Item> {
  return call<Item>('plan_edit', { id, item });
}

/** The CLI twin of editing item `id` from `was` to `now`: only what changed. */
export function editCommand(id: number, was: Item, now: NewItem): string {
  const parts = [`devloop plan edit ${id}`];
  if (now.kind !== was.kind) parts.push(`--kind ${now.kind}`);
  if (now.title.trim() !== was.title) parts.push(`--title ${shellQuote(now.title.trim())}`);
  if (now.description !== was.description) parts.push(`--description ${shellQuote(now.description)}`);
  if (now.estimate && now.estimate !== was.estimate) parts.push(`--estimate ${now.estimate}`);
  if (now.infra !== was.infra) parts.push(`--infra ${now.infra}`);
  return parts.join(' ');
}

/** Moves an item to `position` in `column`, or to its bottom when no position is given. */
export function moveItem(id: number, column: PlanColumn, position?: number): Promise<Item> {
  return call<Item>('plan_move', { id, column, position: position ?? null });
}

/** The active alert `rule` on `series`, as a bug item in the backlog. */
export function planFromAlert(rule: string, series: string): Promise<Item> {
  return call<Item>('plan_from_alert', { rule, series });
}

/** A failed run, a rolled-back deploy or a heal, as a bug item carrying its context. */
export function planFrom(source: PlanSource): Promise<Item> {
  return call<Item>('plan_from', { source });
}

/** The CLI twin of adding `item`. */
export function addCommand(item: NewItem): string {
  return [
    'devloop plan add',
    `--kind ${item.kind}`,
    `--title ${shellQuote(item.title)}`,
    item.estimate ? `--estimate ${item.estimate}` : '',
    item.infra ? '--infra' : '',
  ]
    .filter(Boolean)
    .join(' ');
}

export function getSprints(): Promise<Sprint[]> {
  return call<Sprint[]>('plan_sprints');
}

/** Starts a sprint of `days` days now. */
export function startSprint(name: string, days: number): Promise<Sprint> {
  return call<Sprint>('plan_sprint_add', { name, days });
}

/** Ends the running sprint now. */
export function endSprint(): Promise<Sprint> {
  return call<Sprint>('plan_sprint_end');
}

/** What the loop raised (alerts, failed runs and deploys, heals, retrospectives) still in the backlog. */
export function getTaught(): Promise<Item[]> {
  return call<Item[]>('plan_taught');
}

/** Moves what the loop raised into the sprint; their numbers come back. */
export function carry(): Promise<number[]> {
  return call<number[]>('plan_carry');
}

/** The sprint running at `nowS` (unix seconds), if any. */
export function currentSprint(sprints: Sprint[], nowS: number): Sprint | undefined {
  return sprints.find((s) => s.starts <= nowS && nowS < s.ends);
}
