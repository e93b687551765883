import { describe, expect, it } from 'vitest';
import type { DeployStatus, RunStatus, Strategy } from '../bindings';
import { en } from './en';
import { ko } from './ko';
import { deployStatusWord, deployTone, runStatusWord, strategyName } from './states';

// Every value of each union: a literal list the type checker holds to the union both ways.
const deploys = ['running', 'live', 'rolled-back', 'failed', 'interrupted', 'waiting', 'approved'] as const satisfies readonly DeployStatus[];
const runs = ['running', 'success', 'failure', 'cancelled', 'skipped', 'interrupted'] as const satisfies readonly RunStatus[];
const strategies = ['recreate', 'blueGreen', 'rolling'] as const satisfies readonly Strategy[];
type Missing<T, L extends readonly T[]> = Exclude<T, L[number]>;
const complete: [Missing<DeployStatus, typeof deploys>, Missing<RunStatus, typeof runs>, Missing<Strategy, typeof strategies>] extends [never, never, never] ? true : false = true;

describe('status words', () => {
  it('lists every status the engine has', () => {
    expect(complete).toBe(true);
  });

  it('words every deploy and run status and strategy in Korean, with no English left', () => {
    const words = [
      ...deploys.map((s) => deployStatusWord(ko, s)),
      ...runs.map((s) => runStatusWord(ko, s)),
      ...strategies.map((s) => strategyName(ko, s)),
    ];
    for (const w of words) {
      expect(w).toMatch(/[가-힣]/);
      expect(w).not.toMatch(/[A-Za-z]/);
    }
  });

  it('never shows the engine’s own word where English has a sentence for it', () => {
    expect(deployStatusWord(en, 'rolled-back')).toBe('rolled back');
    expect(strategyName(en, 'blueGreen')).toBe('Blue-green');
  });
});

describe('deploy status colours', () => {
  it('are green only when live, red when it did not go live, plain while it runs or waits or was taken', () => {
    expect(deploys.map((s) => [s, deployTone(s)])).toEqual([
      ['running', ''],
      ['live', 'success'],
      ['rolled-back', 'failure'],
      ['failed', 'failure'],
      ['interrupted', 'failure'],
      ['waiting', ''],
      ['approved', ''],
    ]);
  });
});
