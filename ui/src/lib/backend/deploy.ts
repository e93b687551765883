// Deploys: what is live, a deploy with its progress over a Channel, and the history.
import { Channel } from '@tauri-apps/api/core';
import type { DeployEvent, DeployRecord, HealthCheck, ServiceStatus, Settings, Strategy } from '../bindings';
import { call } from './ipc';

export function getDeployStatus(): Promise<ServiceStatus> {
  return call<ServiceStatus>('deploy_status');
}

export function runDeploy(
  version: string,
  strategy: Strategy,
  replicas: number,
  health: HealthCheck,
  onEvent: (e: DeployEvent) => void,
): Promise<ServiceStatus> {
  const channel = new Channel<DeployEvent>();
  channel.onmessage = onEvent;
  return call<ServiceStatus>('deploy_run', { version, strategy, replicas, health, onEvent: channel });
}

/** DevLoop's default health check, as the engine has it. */
export const DEFAULT_HEALTH: HealthCheck = { path: '/health', intervalMs: 250, timeoutMs: 1000, retries: 3, startPeriodMs: 5000 };

export function getDeployHistory(): Promise<DeployRecord[]> {
  return call<DeployRecord[]>('deploy_history');
}

/** Continuous Deployment on (green push runs deploy) or off (Continuous Delivery). */
export function setContinuousDeployment(on: boolean): Promise<Settings> {
  return call<Settings>('deploy_mode_set', { on });
}

/** Moves the service's stable address (loopback only), from the service's next start. */
export function setProxyAddress(address: string): Promise<Settings> {
  return call<Settings>('deploy_address_set', { address });
}

/** The CLI twin of a deploy from the page. */
export function deployCommand(version: string, strategy: Strategy, replicas: number, healthPath = '/health'): string {
  const id = strategy === 'blueGreen' ? 'blue-green' : strategy;
  const health = healthPath === '/health' ? '' : ` --health ${healthPath}`;
  return `devloop deploy --version ${version} --strategy ${id} --replicas ${replicas}${health}`;
}
