// The DevOps loop as the engine defines it: stage order and what each "continuous" practice covers.
import type { LoopModel } from '../bindings';
import { commands } from '../commands';

export function getLoopModel(): Promise<LoopModel> {
  return commands.loopModel();
}

/** Tells the shell the first screen has painted (read by `make bench-footprint`). */
export function markFirstPaint(): Promise<void> {
  return commands.firstPaint();
}
