import { describe, expect, it } from 'vitest';
import { noteCommand, span } from './refine';

describe('durations on the Refine page', () => {
  it('read as the CLI says them', () => {
    expect(span(42)).toBe('42 s');
    expect(span(300)).toBe('5 min');
    expect(span(3 * 3600 + 5 * 60)).toBe('3h 05m');
    expect(span(2 * 86_400 + 4 * 3600)).toBe('2d 4h');
  });
});

describe('a retrospective note\'s CLI twin', () => {
  it('names the sprint and quotes the note', () => {
    expect(noteCommand(1, 'improve', 'Alert on $(404)s')).toBe("devloop retro --sprint 1 --improve 'Alert on $(404)s'");
    expect(noteCommand(3, 'well', 'tidy')).toBe('devloop retro --sprint 3 --well tidy');
  });
});
