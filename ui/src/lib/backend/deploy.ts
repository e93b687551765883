// Deploys: what is live, a deploy with its progress over a Channel, and the history.
import { Channel } from '@tauri-apps/api/core';
import type { DeployEvent, DeployRecord, HealthCheck, ServiceStatus, Settings, Strategy, Target } from '../bindings';
import { commands } from '../commands';

export function getDeployStatus(): Promise<ServiceStatus> {
  return commands.deployStatus();
}

export function runDeploy(
  version: string,
  strategy: Strategy,
  replicas: number,
  health: HealthCheck,
  target: Target,
  onEvent: (e: DeployEvent) => void,
): Promise<ServiceStatus> {
  const channel = new Channel<DeployEvent>();
  channel.onmessage = onEvent;
  return commands.deployRun({ version, strategy, replicas, health, target, onEvent: channel });
}

/** DevLoop's default health check, as the engine has it. */
export const DEFAULT_HEALTH: HealthCheck = { path: '/health', intervalMs: 250, timeoutMs: 1000, retries: 3, startPeriodMs: 5000 };

export function getDeployHistory(): Promise<DeployRecord[]> {
  return commands.deployHistory();
}

/** Continuous Deployment on (green push runs deploy) or off (Continuous Delivery). */
export function setContinuousDeployment(on: boolean): Promise<Settings> {
  return commands.deployModeSet({ on });
}

/** Moves the service's stable address (loopback only), from the service's next start. */
export function setProxyAddress(address: string): Promise<Settings> {
  return commands.deployAddressSet({ address });
}

/** The CLI twin of a deploy from the page: `--target` when it is the swarm, or when it
 * moves the traffic off the swarm (without it, the CLI deploys where the traffic is). */
export function deployCommand(
  version: string,
  strategy: Strategy,
  replicas: number,
  healthPath = '/health',
  target: Target = 'local',
  now: Target = 'local',
): string {
  const id = strategy === 'blueGreen' ? 'blue-green' : strategy;
  const health = healthPath === '/health' ? '' : ` --health ${healthPath}`;
  const where = target === 'swarm' || now === 'swarm' ? ` --target ${target}` : '';
  return `devloop deploy --version ${version} --strategy ${id} --replicas ${replicas}${health}${where}`;
}
