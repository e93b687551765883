import { describe, expect, it } from 'vitest';
import type { Item } from '../bindings';
import { addCommand, currentSprint, editCommand } from './plan';

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

describe('an edit\'s CLI twin', () => {
  const item: Item = { id: 2, kind: 'feature', title: 'Dark mode', description: '', column: 'sprint', infra: false, position: 1, source: '', createdAt: 0, commits: 0 };

  it('names only what changed, quoted for a shell', () => {
    const now = { kind: 'chore' as const, title: 'Dark mode', description: "It's **on**", estimate: null, infra: true, source: '' };
    expect(editCommand(2, item, now)).toBe("devloop plan edit 2 --kind chore --description 'It'\\''s **on**' --infra true");
    expect(editCommand(2, item, { ...now, kind: 'feature', description: '', infra: false })).toBe('devloop plan edit 2');
  });
});
