// The DevOps loop as the engine defines it: stage order and what each "continuous" practice covers.
import type { LoopModel } from '../bindings';
import { call } from './ipc';

export function getLoopModel(): Promise<LoopModel> {
  return call<LoopModel>('loop_model');
}

/** Tells the shell the first screen has painted (read by `make bench-footprint`). */
export function markFirstPaint(): Promise<void> {
  return call<void>('first_paint');
}
