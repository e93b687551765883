import { describe, expect, it } from 'vitest';
import { autoscaleCommand, failed, loadCommand, opMessage, scaleCommand } from './operate';
import type { OpsEvent, Policy } from '../bindings';

describe('operate helpers', () => {
  it('counts everything but 2xx as failed, no answer included', () => {
    expect(failed({ sent: 10, statuses: { '200': 7, '502': 2, '0': 1 }, skipped: 0, p50Micros: 1, p99Micros: 2 })).toBe(3);
  });
  it('writes the load run as the CLI takes it', () => {
    expect(loadCommand({ path: '/', rps: 200, durationMs: 20000, concurrency: 64, rampMs: 5000 })).toBe(
      'devloop load --rps 200 --duration 20 --concurrency 64 --ramp 5',
    );
  });
  it('writes scaling and the autoscaler as the CLI takes them', () => {
    expect(scaleCommand(3)).toBe('devloop scale 3');
    const p: Policy = { min: 1, max: 4, metric: 'cpu', targetPerReplica: 30, upWindowMs: 3000, downWindowMs: 20000, cooldownMs: 5000 };
    expect(autoscaleCommand(true, p)).toBe('devloop autoscale --cpu 30 --min 1 --max 4 --down-window 20');
    expect(autoscaleCommand(false, p)).toBe('devloop autoscale --off');
  });
  it('shows the log in Korean when there is Korean, else in English', () => {
    const e: OpsEvent = { atMs: 0, app: 'a', kind: 'heal', message: 'healed', messageKo: '치유됨' };
    expect(opMessage(e, 'ko')).toBe('치유됨');
    expect(opMessage(e, 'en')).toBe('healed');
    expect(opMessage({ ...e, messageKo: '' }, 'ko')).toBe('healed');
  });
  it('says a rarer reason in Korean from the catalog, after the Korean line', () => {
    const e: OpsEvent = {
      atMs: 0,
      app: 'a',
      kind: 'rollback',
      message: 'a 1.0.1 did not go live and was rolled back: 127.0.0.1:8080 is in use by another program',
      messageKo: 'a 1.0.1이(가) 배포되지 못해 롤백됨',
      reason: { code: 'addressInUse', params: { address: '127.0.0.1:8080' } },
    };
    const text = opMessage(e, 'ko');
    expect(text.startsWith('a 1.0.1이(가) 배포되지 못해 롤백됨: 127.0.0.1:8080을(를) 이미 다른 프로그램이')).toBe(true);
    expect(opMessage(e, 'en')).toBe(e.message);
    // A code this catalog does not know: the whole English line, not half a sentence.
    expect(opMessage({ ...e, reason: { code: 'somethingNew', params: {} } }, 'ko')).toBe(e.message);
  });
});
