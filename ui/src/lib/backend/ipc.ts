// The one place the UI talks to the Rust side. `../commands.ts`, generated from the shell's
// command functions, calls through here; components call the modules beside this file
// (doctor.ts, settings.ts, stages.ts…), which call those commands, never `invoke` directly.
import { invoke } from '@tauri-apps/api/core';
import type { AppError, Code } from '../bindings';

/** A failed backend call, carrying the engine's `{code, message, fix}`. */
export class BackendError extends Error {
  readonly problem: AppError;
  constructor(problem: AppError) {
    super(problem.message);
    this.name = 'BackendError';
    this.problem = problem;
  }
  get code(): Code {
    return this.problem.code;
  }
}

function isAppError(value: unknown): value is AppError {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as AppError).code === 'string' &&
    typeof (value as AppError).message === 'string'
  );
}

/** Turns whatever a failed invoke throws into a BackendError the UI can branch on. */
export function toBackendError(thrown: unknown): BackendError {
  if (thrown instanceof BackendError) return thrown;
  if (isAppError(thrown)) return new BackendError(thrown);
  // Tauri itself rejects with a plain string (for example a permission the capability lacks).
  const message = thrown instanceof Error ? thrown.message : String(thrown);
  return new BackendError({ code: 'internal', message });
}

/** Calls a DevLoop command; rejects with BackendError. */
export async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (thrown) {
    throw toBackendError(thrown);
  }
}
