import { describe, expect, it } from 'vitest';
import { deployCommand } from './deploy';

describe('deployCommand', () => {
  it('names the strategy the way the CLI spells it', () => {
    expect(deployCommand('0.2.0', 'blueGreen', 2)).toBe('devloop deploy --version 0.2.0 --strategy blue-green --replicas 2');
    expect(deployCommand('1.0.0', 'recreate', 1)).toBe('devloop deploy --version 1.0.0 --strategy recreate --replicas 1');
    expect(deployCommand('1.0.0', 'rolling', 3, '/ready')).toBe(
      'devloop deploy --version 1.0.0 --strategy rolling --replicas 3 --health /ready',
    );
  });

  it('names the target when it is the swarm, or when the traffic leaves the swarm', () => {
    expect(deployCommand('0.2.0', 'blueGreen', 2, '/health', 'swarm', 'local')).toBe(
      'devloop deploy --version 0.2.0 --strategy blue-green --replicas 2 --target swarm',
    );
    expect(deployCommand('0.2.0', 'rolling', 2, '/health', 'local', 'swarm')).toBe(
      'devloop deploy --version 0.2.0 --strategy rolling --replicas 2 --target local',
    );
    expect(deployCommand('0.2.0', 'rolling', 2, '/health', 'local', 'local')).toBe(
      'devloop deploy --version 0.2.0 --strategy rolling --replicas 2',
    );
  });
});
