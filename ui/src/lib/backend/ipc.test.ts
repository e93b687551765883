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

describe('calls to the shell', () => {
  it('go through the generated, typed commands only, never a command named by hand', () => {
    const sources = import.meta.glob('../../**/*.{ts,svelte}', { query: '?raw', import: 'default', eager: true }) as Record<string, string>;
    const byHand = Object.entries(sources)
      .filter(([path]) => !/(^|\/)(commands|ipc)\.ts$/.test(path) && !path.endsWith('.test.ts'))
      .filter(([, text]) => /\b(call|invoke)\s*(<[^>]*>)?\s*\(\s*['"`]/.test(text))
      .map(([path]) => path);
    expect(Object.keys(sources).length).toBeGreaterThan(50);
    expect(byHand).toEqual([]);
  });
});
