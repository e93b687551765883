import { describe, expect, it } from 'vitest';
import { runCommand } from './pipeline';

describe('runCommand', () => {
  it('adds each input, quoting what a shell would split or expand', () => {
    expect(runCommand('devloop run --workflow ci.yml', {})).toBe('devloop run --workflow ci.yml');
    expect(runCommand('devloop run --workflow d.yml', { target: 'staging', note: "it's $HOME" })).toBe(
      `devloop run --workflow d.yml --input target=staging --input 'note=it'\\''s $HOME'`,
    );
  });
});
