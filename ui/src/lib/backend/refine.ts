// Refine: the DORA metrics of the workspace's app, now and week by week, and each sprint's
// retrospective.
import type { LoopState, Note, NoteKind, RefineView, Retro } from '../bindings';
import { commands } from '../commands';
import { shellQuote } from '../shell';

export function getRefineView(weeks: number, width: number, dark: boolean): Promise<RefineView> {
  return commands.refineView({ weeks, width, dark, utcOffsetMin: -new Date().getTimezoneOffset() });
}

/** Sprint `sprint`'s retrospective; the running or newest sprint's when none is given. */
export function getRetro(sprint?: number): Promise<Retro> {
  return commands.retroView({ sprint: sprint ?? null });
}

/** A note for the retrospective; an improvement becomes a backlog item. */
export function addNote(sprint: number, kind: NoteKind, text: string): Promise<Note> {
  return commands.retroAdd({ sprint, kind, text });
}

/** The CLI twin of adding a note. */
export function noteCommand(sprint: number, kind: NoteKind, text: string): string {
  return `devloop retro --sprint ${sprint} --${kind} ${shellQuote(text)}`;
}

/** What each stage of the home loop shows now. */
export function getLoopState(): Promise<LoopState> {
  return commands.loopState();
}

/** `3h 05m`, `2d 4h`, `42 s`, as the CLI says them. */
export function span(s: number): string {
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h ${String(Math.floor(s / 60) % 60).padStart(2, '0')}m`;
  return `${Math.floor(s / 86_400)}d ${Math.floor(s / 3600) % 24}h`;
}
