import { describe, expect, it } from 'vitest';
import { failed, loadCommand } from './operate';

describe('operate helpers', () => {
  it('counts everything but 2xx as failed, no answer included', () => {
    expect(failed({ sent: 10, statuses: { '200': 7, '502': 2, '0': 1 }, skipped: 0, p50Micros: 1, p99Micros: 2 })).toBe(3);
  });
  it('writes the load run as the CLI takes it', () => {
    expect(loadCommand({ path: '/', rps: 200, durationMs: 20000, concurrency: 64, rampMs: 5000 })).toBe(
      'devloop load --rps 200 --duration 20 --concurrency 64 --ramp 5',
    );
  });
});
