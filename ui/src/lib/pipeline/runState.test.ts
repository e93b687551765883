import { describe, expect, it } from 'vitest';
import type { RunDetail } from '../bindings';
import { firstFailed, jobStates } from './runState';

const detail = (status: string, jobs: RunDetail['jobs']): RunDetail =>
  ({
    run: { number: 6, workflow: '.github/workflows/ci.yml', trigger: 'push', sha: 'abc', branch: 'main', status, startedAt: 0 },
    jobs,
    steps: [],
    artifacts: [],
    inputs: {},
  }) as unknown as RunDetail;

describe('jobStates', () => {
  it('gives every job of a finished run its result, so nothing reads "waiting" in a green run', () => {
    const d = detail('success', [
      { job: 'build', result: 'success', millis: 900 },
      { job: 'test', result: 'success', millis: 400 },
    ]);
    expect(jobStates(d)).toEqual({ build: { state: 'success', millis: 900 }, test: { state: 'success', millis: 400 } });
  });
  it('shows a matrix box red when one of its instances failed', () => {
    const d = detail('failure', [
      { job: 'test (1)', result: 'success', millis: 1 },
      { job: 'test (2)', result: 'failure', millis: 2 },
      { job: 'test (3)', result: 'success', millis: 3 },
    ]);
    expect(jobStates(d).test?.state).toBe('failure');
  });
  it('calls a job that never finished in an ended run interrupted', () => {
    expect(jobStates(detail('interrupted', [{ job: 'build' }])).build?.state).toBe('interrupted');
  });
});

describe('firstFailed', () => {
  it('opens a failed run on its red job, not on the first job that ran', () => {
    const d = detail('failure', [
      { job: 'build', result: 'success' },
      { job: 'test', result: 'failure' },
      { job: 'lint', result: 'failure' },
    ]);
    expect(firstFailed(d)).toBe('test');
    expect(firstFailed(detail('success', [{ job: 'build', result: 'success' }]))).toBeNull();
  });
});
