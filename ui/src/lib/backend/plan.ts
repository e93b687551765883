// Plan: the backlog's items, and an alert made into a bug item.
import type { Item, NewItem, PlanColumn, PlanSource, Sprint } from '../bindings';
import { call } from './ipc';
import { shellQuote } from '../shell';

export function getItems(): Promise<Item[]> {
  return call<Item[]>('plan_items');
}

export function addItem(item: NewItem): Promise<Item> {
  return call<Item>('plan_add', { item });
}

export function moveItem(id: number, column: PlanColumn, position: number): Promise<Item> {
  return call<Item>('plan_move', { id, column, position });
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

/** The sprint running at `nowS` (unix seconds), if any. */
export function currentSprint(sprints: Sprint[], nowS: number): Sprint | undefined {
  return sprints.find((s) => s.starts <= nowS && nowS < s.ends);
}
