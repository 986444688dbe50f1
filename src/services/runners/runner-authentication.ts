import type { RunnerManager } from '../../store/runner-managers-repository.js';
import type { Runner } from '../../store/runners-repository.js';
import { isoNow, type ServiceContext } from '../context.js';
import { tokenDigest } from '../security/secrets.js';

/** What a runner says about itself in `info` (runner protocol §1 #9). */
export interface RunnerInfo {
  name?: string;
  version?: string;
  revision?: string;
  platform?: string;
  architecture?: string;
  executor?: string;
  shell?: string;
  features?: Record<string, unknown>;
}

/** The manager recorded for runners that send no `system_id` (gitlab-runner before 15.x); GitLab keeps none for them. */
export const LEGACY_SYSTEM_ID = '<legacy>';

/** Whether a manager is one GitLab would have: the legacy placeholder stays out of every API reply. */
export const isRunnerManagerShown = (manager: Pick<RunnerManager, 'systemId'>): boolean => manager.systemId !== LEGACY_SYSTEM_ID;

/** A runner read by token stays trusted this long; changes in this process evict it at once, other processes see them after this. */
const RUNNER_CACHE_MS = 10_000;
/** A heartbeat that changes nothing is written at most this often (GitLab caches contacted_at the same way). */
const HEARTBEAT_WRITE_MS = 60_000;

interface RunnerCaches {
  byDigest: Map<string, { runner: Runner; until: number }>;
  heartbeats: Map<string, { manager: RunnerManager; written: number }>;
}

const cachesByContext = new WeakMap<ServiceContext, RunnerCaches>();

function caches(ctx: ServiceContext): RunnerCaches {
  let found = cachesByContext.get(ctx);
  if (!found) {
    const created: RunnerCaches = { byDigest: new Map(), heartbeats: new Map() };
    ctx.events.on('runner-changed', ({ runnerId }) => {
      for (const [digest, entry] of created.byDigest) if (entry.runner.id === runnerId) created.byDigest.delete(digest);
      for (const [key, entry] of created.heartbeats) if (entry.manager.runnerId === runnerId) created.heartbeats.delete(key);
    });
    cachesByContext.set(ctx, created);
    found = created;
  }
  return found;
}

/** The runner a token belongs to, or null; an idle poll answers from memory. */
export async function authenticateRunner(ctx: ServiceContext, token: unknown): Promise<Runner | null> {
  if (typeof token !== 'string' || token === '' || token.length > 1024) return null;
  const digest = tokenDigest(token);
  const cache = caches(ctx).byDigest;
  const now = Date.now();
  const cached = cache.get(digest);
  if (cached && cached.until > now) return cached.runner;
  const runner = await ctx.store.runners.findByTokenDigest(digest);
  if (!runner) {
    cache.delete(digest);
    return null;
  }
  if (runner.tokenExpiresAt !== null && runner.tokenExpiresAt <= isoNow(ctx)) return null;
  if (cache.size > 10_000) cache.clear();
  cache.set(digest, { runner, until: now + RUNNER_CACHE_MS });
  return runner;
}

function text(value: unknown, max = 255): string | null {
  return typeof value === 'string' && value !== '' ? value.slice(0, max) : null;
}

/**
 * Records that a machine of this runner called (GitLab's heartbeat and runner manager): created on first
 * contact, refreshed when what it reports changes or once a minute. `system_id` is optional for old runners.
 */
export async function heartbeat(ctx: ServiceContext, runner: Runner, systemId: unknown, info: RunnerInfo | undefined, ipAddress: string | null): Promise<RunnerManager> {
  const system = text(systemId, 64) ?? LEGACY_SYSTEM_ID;
  const details = {
    version: text(info?.version),
    revision: text(info?.revision),
    platform: text(info?.platform),
    architecture: text(info?.architecture),
    executor: text(info?.executor),
    ipAddress,
    features: info?.features && typeof info.features === 'object' && !Array.isArray(info.features) ? info.features : {},
  };
  const key = `${runner.id}\0${system}`;
  const beats = caches(ctx).heartbeats;
  const known = beats.get(key);
  const now = Date.now();
  if (known && now - known.written < HEARTBEAT_WRITE_MS && sameDetails(known.manager, details)) return known.manager;
  const at = isoNow(ctx);
  const manager = await ctx.store.runnerManagers.upsert(runner.id, system, details, at);
  await ctx.store.runners.update(runner.id, { contactedAt: at });
  if (beats.size > 10_000) beats.clear();
  beats.set(key, { manager, written: now });
  return manager;
}

/** Whether a heartbeat reports what the manager row already says (checked on every poll, so no serialising). */
function sameDetails(manager: RunnerManager, details: Omit<RunnerManager, 'id' | 'runnerId' | 'systemId' | 'createdAt' | 'contactedAt'>): boolean {
  if (manager.version !== details.version || manager.revision !== details.revision || manager.platform !== details.platform) return false;
  if (manager.architecture !== details.architecture || manager.executor !== details.executor || manager.ipAddress !== details.ipAddress) return false;
  let count = 0;
  for (const key in details.features) {
    if (manager.features[key] !== details.features[key]) return false;
    count++;
  }
  for (const key in manager.features) if (Object.hasOwn(manager.features, key)) count--;
  return count === 0;
}

/** Drops what this process remembers about a runner (after it changed or was deleted). */
export function runnerChanged(ctx: ServiceContext, runnerId: number): void {
  caches(ctx);
  ctx.events.emit('runner-changed', { runnerId });
}
