import { describe, expect, it } from 'vitest';
import { addRuleCommand, maxOf, probesCommand, valuesAt } from './monitor';
import type { ChartView } from '../bindings';

const chart: ChartView = {
  id: 'hostCpu',
  unit: '%',
  svg: '',
  area: { left: 50, right: 350, top: 5, bottom: 150 },
  from: 1000,
  to: 1300,
  step: 2,
  lines: [{ label: 'host.cpu', values: Array.from({ length: 151 }, (_, i) => (i === 75 ? null : i)) }],
  empty: false,
};

describe('the pointer over a chart', () => {
  it('maps pixels to time and picks the value there, gaps included', () => {
    expect(valuesAt(chart, 50)).toEqual({ at: 1000, values: [{ label: 'host.cpu', value: 0 }] });
    expect(valuesAt(chart, 350)?.at).toBe(1300);
    expect(valuesAt(chart, 200)).toEqual({ at: 1150, values: [{ label: 'host.cpu', value: null }] });
  });
  it('is nothing outside the plot', () => {
    expect(valuesAt(chart, 10)).toBeNull();
    expect(valuesAt(chart, 400)).toBeNull();
  });
});

describe('a chart at a glance', () => {
  it('knows its highest value, gaps skipped', () => {
    expect(maxOf(chart)).toBe(150);
    expect(maxOf({ ...chart, lines: [{ label: 'x', values: [null, null] }] })).toBe(0);
  });
});

describe('a new rule\'s CLI twin', () => {
  it('says above or below, and quotes names and metrics with braces', () => {
    expect(
      addRuleCommand({ name: 'SlowDeploys', metric: 'endpoint.p99{service=loop-service}', comparator: '>', threshold: 500, forS: 60, severity: 'critical', description: "users wait, don't they" }),
    ).toBe("devloop alerts add SlowDeploys --metric 'endpoint.p99{service=loop-service}' --above 500 --for 60 --severity critical --description 'users wait, don'\\''t they'");
    expect(addRuleCommand({ name: 'Quiet', metric: 'endpoint.rps', comparator: '<', threshold: 1, forS: 0, severity: 'info', description: '' })).toBe(
      'devloop alerts add Quiet --metric endpoint.rps --below 1 --for 0 --severity info',
    );
  });
});

describe('the probe form', () => {
  it('has a CLI twin with one quoted argument a line', () => {
    expect(probesCommand('http://127.0.0.1:9/x\n\n  http://a/?q=1&b=2 \n')).toBe("devloop probes http://127.0.0.1:9/x 'http://a/?q=1&b=2'");
    expect(probesCommand('')).toBe('devloop probes');
  });
});
