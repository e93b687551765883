// Plan: the backlog's items, one in full, edits, sprints, and what went wrong made into a bug item.
import type { Item, ItemDetail, NewItem, PlanColumn, PlanSource, Sprint } from '../bindings';
import { commands } from '../commands';
import { shellQuote } from '../shell';

export function getItems(): Promise<Item[]> {
  return commands.planItems();
}

export function addItem(item: NewItem): Promise<Item> {
  return commands.planAdd({ item });
}

/** Item `id` in full: its description rendered, its commits, runs, releases and deploys. */
export function getItem(id: number): Promise<ItemDetail> {
  return commands.planItem({ id });
}

export function editItem(id: number, item: NewItem): Promise<Item> {
  return commands.planEdit({ id, item });
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
  return commands.planMove({ id, column, position: position ?? null });
}

/** The active alert `rule` on `series`, as a bug item in the backlog. */
export function planFromAlert(rule: string, series: string): Promise<Item> {
  return commands.planFromAlert({ rule, series });
}

/** A failed run, a rolled-back deploy or a heal, as a bug item carrying its context. */
export function planFrom(source: PlanSource): Promise<Item> {
  return commands.planFrom({ source });
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
  return commands.planSprints();
}

/** Starts a sprint of `days` days now. */
export function startSprint(name: string, days: number): Promise<Sprint> {
  return commands.planSprintAdd({ name, days });
}

/** Ends the running sprint now. */
export function endSprint(): Promise<Sprint> {
  return commands.planSprintEnd();
}

/** What the loop raised (alerts, failed runs and deploys, heals, retrospectives) still in the backlog. */
export function getTaught(): Promise<Item[]> {
  return commands.planTaught();
}

/** Moves what the loop raised into the sprint; their numbers come back. */
export function carry(): Promise<number[]> {
  return commands.planCarry();
}

/** The sprint running at `nowS` (unix seconds), if any. */
export function currentSprint(sprints: Sprint[], nowS: number): Sprint | undefined {
  return sprints.find((s) => s.starts <= nowS && nowS < s.ends);
}
