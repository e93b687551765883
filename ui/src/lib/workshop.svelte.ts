// The workshop overview (lessons and progress), shared by the home loop, stage pages and the lesson list.
import type { Locale, Stage, WorkshopOverview } from './bindings';
import { getOverview } from './backend/workshop';
import { BackendError, toBackendError } from './backend/ipc';

let overview = $state<WorkshopOverview | null>(null);
let failure = $state<BackendError | null>(null);

export const workshop = {
  get overview() {
    return overview;
  },
  get failure() {
    return failure;
  },
  async refresh(locale: Locale): Promise<void> {
    try {
      overview = await getOverview(locale);
      failure = null;
    } catch (e) {
      failure = toBackendError(e);
    }
  },
  /** Passed and total steps of the lesson for `stage`, if there is one. */
  stageProgress(stage: Stage): { lesson: string; passed: number; total: number } | null {
    const lesson = overview?.lessons.find((l) => l.stage === stage);
    return lesson ? { lesson: lesson.id, passed: lesson.passed, total: lesson.steps } : null;
  },
};
