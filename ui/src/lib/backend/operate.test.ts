import { describe, expect, it } from 'vitest';
import { autoscaleCommand, decisionLine, failed, loadCommand, opLine, scaleCommand } from './operate';
import type { OpsEvent, Policy } from '../bindings';
import { en } from '../i18n/en';
import { ko } from '../i18n/ko';
import { plain } from '../spans';

const opMessage = (e: OpsEvent, locale: 'en' | 'ko') => plain(opLine(e, locale === 'ko' ? ko : en));

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
  it('words a line from its code and facts in each language, with what lies under it', () => {
    const e: OpsEvent = {
      atMs: 0,
      app: 'svc',
      kind: 'autoscale',
      message: 'svc 0.2.0: 1 → 3 replicas (autoscaler: 180 requests/s for 3 s is over 50 per replica: 1 → 3)',
      what: {
        code: 'opScaled',
        params: { app: 'svc', version: '0.2.0', from: '1', to: '3' },
        because: {
          code: 'byAutoscaler',
          params: {},
          because: { code: 'scaleBusy', params: { load: '180', metric: 'rps', secs: '3', target: '50', from: '1', to: '3' } },
        },
      },
    };
    expect(opMessage(e, 'en')).toBe('svc 0.2.0: 1 → 3 replicas, by the autoscaler: 180 requests/s for 3 s is over 50 per replica: 1 → 3');
    const k = opMessage(e, 'ko');
    expect(k).toBe('svc 0.2.0: 레플리카 1 → 3, 오토스케일러: 3초 동안 180 요청/초, 레플리카당 50 초과: 1 → 3');
    // Facts are shown as they are; every word around them is Korean.
    expect(k.replace(/svc|\d|\./g, '')).not.toMatch(/[A-Za-z]/);
    // A code no catalog knows yet: the engine's English, whole.
    expect(opMessage({ ...e, what: { code: 'opNew', params: {} } }, 'ko')).toBe(e.message);
  });
  it('words the deploy strategy as the catalogs name it, and the autoscaler decisions too', () => {
    const live: OpsEvent = {
      atMs: 0, app: 'svc', kind: 'deploy', message: 'svc 0.2.0 is live (blue-green, 2 replicas)',
      what: { code: 'opLive', params: { app: 'svc', version: '0.2.0', strategy: 'blue-green', replicas: '2' } },
    };
    expect(opMessage(live, 'ko')).toBe('svc 0.2.0 배포됨 (블루-그린, 레플리카 2개)');
    const d = { replicas: 2, why: { code: 'scaleQuiet', params: { secs: '10', from: '3', to: '2' } }, reason: 'quiet for 10 s: 3 → 2' };
    expect(plain(decisionLine(d, ko))).toBe('10초 동안 한가함: 3 → 2');
    expect(plain(decisionLine(d, en))).toBe(d.reason);
  });
  it('says why a deploy was rolled back from the catalog that knows the reason', () => {
    const e: OpsEvent = {
      atMs: 0, app: 'svc', kind: 'rollback', message: 'svc 0.3.0 did not go live and was rolled back: health check failed',
      what: {
        code: 'opRolledBack',
        params: { app: 'svc', version: '0.3.0' },
        because: { code: 'healthCheckFailed', params: { version: 'svc 0.3.0', path: '/health' } },
      },
    };
    expect(opMessage(e, 'en')).toBe('svc 0.3.0 did not go live and was rolled back: svc 0.3.0 failed its health check (/health).');
    expect(opMessage(e, 'ko').startsWith('svc 0.3.0이(가) 배포되지 못해 롤백됨: ')).toBe(true);
    expect(opMessage(e, 'ko').replace(/svc|\d|\.|\/health/g, '')).not.toMatch(/[A-Za-z]/);
  });
  it('shows an older line in Korean when it has Korean, else in English', () => {
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
