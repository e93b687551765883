import { describe, expect, it } from 'vitest';
import { addCommand, currentSprint } from './plan';

describe('the plan\'s CLI twins', () => {
  it('quote what a shell would split or expand, and leave out what is not set', () => {
    expect(addCommand({ kind: 'bug', title: "Fix the $HOME `bug` isn't it", description: '', estimate: null, infra: false, source: '' })).toBe(
      "devloop plan add --kind bug --title 'Fix the $HOME `bug` isn'\\''t it'",
    );
    expect(addCommand({ kind: 'chore', title: 'tidy', description: '', estimate: 3, infra: true, source: '' })).toBe(
      'devloop plan add --kind chore --title tidy --estimate 3 --infra',
    );
  });
});

describe('the sprint running now', () => {
  it('is the one whose days hold now, ends excluded', () => {
    const sprints = [
      { id: 2, name: 'B', starts: 100, ends: 200 },
      { id: 1, name: 'A', starts: 0, ends: 100 },
    ];
    expect(currentSprint(sprints, 100)?.name).toBe('B');
    expect(currentSprint(sprints, 99)?.name).toBe('A');
    expect(currentSprint(sprints, 200)).toBeUndefined();
  });
});
