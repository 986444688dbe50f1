import type { Namespace } from '../store/namespaces-repository.js';
import type { RunnerManager } from '../store/runner-managers-repository.js';
import type { Runner } from '../store/runners-repository.js';
import { namespaceWebUrl } from './namespace.js';
import { projectSimpleEntity, type ProjectView } from './project.js';
import type { RenderContext } from './render-context.js';

/** A runner (or runner manager) that called within this long is online (GitLab's ONLINE_CONTACT_TIMEOUT). */
export const RUNNER_ONLINE_TIMEOUT_MS = 2 * 60 * 60 * 1000;
/** Created and not heard from for this long is stale (GitLab 17's STALE_TIMEOUT, 7 days). */
export const RUNNER_STALE_TIMEOUT_MS = 7 * 24 * 60 * 60 * 1000;

interface Contacted {
  createdAt: string;
  contactedAt: string | null;
}

/** Ruby's `contacted_at && contacted_at > deadline`: null for a runner that never called. */
export function runnerOnline(subject: Contacted, now: Date): boolean | null {
  if (subject.contactedAt === null) return null;
  return Date.parse(subject.contactedAt) > now.getTime() - RUNNER_ONLINE_TIMEOUT_MS;
}

function stale(subject: Contacted, now: Date): boolean {
  const last = Math.max(Date.parse(subject.createdAt), subject.contactedAt === null ? 0 : Date.parse(subject.contactedAt));
  return last <= now.getTime() - RUNNER_STALE_TIMEOUT_MS;
}

/** The REST `status` of a runner (GitLab's `deprecated_rest_status`): paused runners say so unless stale or new. */
export function runnerStatus(runner: Runner, now: Date): 'stale' | 'never_contacted' | 'online' | 'offline' | 'paused' {
  if (stale(runner, now)) return 'stale';
  if (runner.contactedAt === null) return 'never_contacted';
  if (runner.paused) return 'paused';
  return runnerOnline(runner, now) ? 'online' : 'offline';
}

export function runnerManagerStatus(manager: RunnerManager, now: Date): 'stale' | 'never_contacted' | 'online' | 'offline' {
  if (stale(manager, now)) return 'stale';
  if (manager.contactedAt === null) return 'never_contacted';
  return runnerOnline(manager, now) ? 'online' : 'offline';
}

/**
 * API::Entities::Ci::Runner (17.x), in GitLab's key order. `ip_address` is always null since 17.0 (the
 * managers carry it); `name` is GitLab's rarely set runner name, which Conveyor does not keep.
 */
export function runnerEntity(runner: Runner, now: Date) {
  return {
    id: runner.id,
    description: runner.description,
    ip_address: null,
    active: !runner.paused,
    paused: runner.paused,
    is_shared: runner.runnerType === 'instance_type',
    runner_type: runner.runnerType,
    name: null,
    online: runnerOnline(runner, now),
    status: runnerStatus(runner, now),
  };
}

/** Everything RunnerDetails shows beside the runner, loaded by the service for the caller. */
export interface RunnerDetailsView {
  runner: Runner;
  /** The manager that called last (version, revision, platform, architecture come from it). */
  latestManager: RunnerManager | null;
  /** The runner's projects the caller may see. */
  projects: ProjectView[];
  /** The runner's group, when the caller may see it. */
  groups: Namespace[];
  /** GitLab shows the maintenance note only to those who may update the runner. */
  showMaintenanceNote: boolean;
}

/** API::Entities::Ci::RunnerDetails (17.x): Runner, then settings, the newest manager's facts, projects and groups. */
export function runnerDetailsEntity(view: RunnerDetailsView, rc: RenderContext, now: Date) {
  const { runner, latestManager } = view;
  return Object.assign(runnerEntity(runner, now), {
    tag_list: runner.tagList,
    run_untagged: runner.runUntagged,
    locked: runner.locked,
    maximum_timeout: runner.maximumTimeout,
    access_level: runner.accessLevel,
    version: latestManager?.version ?? null,
    revision: latestManager?.revision ?? null,
    platform: latestManager?.platform ?? null,
    architecture: latestManager?.architecture ?? null,
    contacted_at: runner.contactedAt,
    maintenance_note: view.showMaintenanceNote ? runner.maintenanceNote : null,
    projects: view.projects.map((p) => projectSimpleEntity(p, rc)),
    // API::Entities::BasicGroupDetails
    groups: view.groups.map((g) => ({ id: g.id, web_url: namespaceWebUrl(g, rc), name: g.name })),
  });
}

/** API::Entities::Ci::RunnerManager (17.x). */
export function runnerManagerEntity(manager: RunnerManager, now: Date) {
  return {
    id: manager.id,
    system_id: manager.systemId,
    version: manager.version,
    revision: manager.revision,
    platform: manager.platform,
    architecture: manager.architecture,
    created_at: manager.createdAt,
    contacted_at: manager.contactedAt,
    ip_address: manager.ipAddress,
    status: runnerManagerStatus(manager, now),
  };
}
