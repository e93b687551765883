import { describe, expect, it } from 'vitest';
import { addCommand } from './plan';

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
