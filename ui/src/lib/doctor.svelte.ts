// The latest system check, shared by the status bar and the System check panel.
import type { Report } from './bindings';
import { runDoctor } from './backend/doctor';
import { BackendError, toBackendError } from './backend/ipc';

let report = $state<Report | null>(null);
let failure = $state<BackendError | null>(null);
let running = $state(false);

export const doctor = {
  get report() {
    return report;
  },
  get failure() {
    return failure;
  },
  get running() {
    return running;
  },
  /** Runs the check again; a second call while one runs waits for the same result. */
  async refresh(): Promise<void> {
    if (running) return;
    running = true;
    try {
      report = await runDoctor();
      failure = null;
    } catch (e) {
      failure = toBackendError(e);
    } finally {
      running = false;
    }
  },
};

export const GIB = 1024 * 1024 * 1024;
export const gib = (bytes: number) => (bytes / GIB).toFixed(1);
