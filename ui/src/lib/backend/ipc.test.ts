import { describe, expect, it } from 'vitest';
import { BackendError, toBackendError } from './ipc';

describe('toBackendError', () => {
  it('keeps the engine code, message and fix', () => {
    const e = toBackendError({ code: 'dockerUnavailable', message: 'no socket', fix: 'sudo dockerd' });
    expect(e).toBeInstanceOf(BackendError);
    expect(e.code).toBe('dockerUnavailable');
    expect(e.problem.fix).toBe('sudo dockerd');
    expect(e.message).toBe('no socket');
  });

  it('turns a plain Tauri rejection into an internal error that keeps its text', () => {
    const e = toBackendError('Command foo not allowed by ACL');
    expect(e.code).toBe('internal');
    expect(e.message).toContain('not allowed');
  });

  it('does not mistake an object without a code for an engine error', () => {
    expect(toBackendError({ message: 'x' }).code).toBe('internal');
  });
});
