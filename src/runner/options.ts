import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { silentLogger, type RunnerLogger } from './logger.js';

export interface RunnerOptions {
  /** Server base URL, e.g. http://127.0.0.1:8080; `/api/v4/` is appended as gitlab-runner does. */
  url: string;
  /** Runner authentication token (glrt-…). */
  token: string;
  /** Jobs at once (default 2). */
  concurrent?: number;
  /** Where job working directories go. */
  buildsDir: string;
  /** `s_` + 12 hex, persisted by the caller; generated when absent. */
  systemId?: string;
  /** Send `last_update` so the server can hold the request (default true). */
  longPoll?: boolean;
  /** ms between job requests after a 204 (default 3000, gitlab-runner's check_interval). */
  checkInterval?: number;
  /** ms between "should I continue?" keep-alives of a running job (default 1000). */
  cancelCheckInterval?: number;
  /** ms before the first trace PATCH interval is replaced by the server's header (default 3000). */
  traceUpdateInterval?: number;
  /** Bytes of job log kept before the limit notice (default 4 MiB). */
  outputLimit?: number;
  /** Shell for job scripts (default 'bash'). */
  shell?: string;
  logger?: RunnerLogger;
}

export interface ResolvedOptions {
  baseUrl: string;
  token: string;
  concurrent: number;
  buildsDir: string;
  systemId: string;
  longPoll: boolean;
  checkInterval: number;
  cancelCheckInterval: number;
  traceUpdateInterval: number;
  outputLimit: number;
  shell: string;
  logger: RunnerLogger;
}

/** gitlab-runner's rule: strip a trailing `/` and `/ci`, then add `/api/v4/`. */
export function apiBaseUrl(url: string): string {
  let base = url.trim();
  while (base.endsWith('/')) base = base.slice(0, -1);
  if (base.endsWith('/ci')) base = base.slice(0, -3);
  while (base.endsWith('/')) base = base.slice(0, -1);
  return `${base}/api/v4/`;
}

export function generateSystemId(): string {
  return `s_${randomBytes(6).toString('hex')}`;
}

function positive(value: number | undefined, fallback: number): number {
  return value !== undefined && Number.isFinite(value) && value > 0 ? value : fallback;
}

export function resolveOptions(o: RunnerOptions): ResolvedOptions {
  if (!o.url) throw new Error('runner: url is required');
  if (!o.token) throw new Error('runner: token is required');
  if (!o.buildsDir) throw new Error('runner: buildsDir is required');
  return {
    baseUrl: apiBaseUrl(o.url),
    token: o.token,
    concurrent: Math.max(1, Math.floor(positive(o.concurrent, 2))),
    buildsDir: path.resolve(o.buildsDir),
    systemId: o.systemId || generateSystemId(),
    longPoll: o.longPoll ?? true,
    checkInterval: positive(o.checkInterval, 3000),
    cancelCheckInterval: positive(o.cancelCheckInterval, 1000),
    traceUpdateInterval: positive(o.traceUpdateInterval, 3000),
    outputLimit: positive(o.outputLimit, 4 * 1024 * 1024),
    shell: o.shell || 'bash',
    logger: o.logger ?? silentLogger,
  };
}
