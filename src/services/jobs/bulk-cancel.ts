import { ApiError, invalidParam } from '../../errors/api-error.js';
import type { Job } from '../../store/jobs-repository.js';
import type { Project } from '../../store/projects-repository.js';
import type { Actor } from '../access/actor.js';
import type { ServiceContext } from '../context.js';
import { ConveyorEvents } from '../events.js';
import { cancelJobAs } from './job-actions.js';
import { parseScope, projectForBuilds } from './jobs-query.js';

/** Jobs one bulk cancel touches at most: a page of the job list. */
export const BULK_CANCEL_LIMIT = 100;

const MAX_DATABASE_ID = 2_147_483_647;

/** `job_ids[]`: 1 to 100 job ids, Grape's messages for anything else; undefined when absent. */
export function parseJobIds(raw: unknown): number[] | undefined {
  if (raw === undefined) return undefined;
  const values = Array.isArray(raw) ? raw : [raw];
  if (values.length === 0) throw invalidParam('job_ids', 'is empty');
  const ids = values.map((v) => (typeof v === 'number' ? v : typeof v === 'string' && /^\s*\d+\s*$/.test(v) ? Number(v) : Number.NaN));
  if (ids.some((id) => !Number.isSafeInteger(id) || id < 1 || id > MAX_DATABASE_ID)) throw invalidParam('job_ids');
  const unique = [...new Set(ids)];
  if (unique.length > BULK_CANCEL_LIMIT) throw invalidParam('job_ids', `is expected to have length less than or equal to ${BULK_CANCEL_LIMIT}`);
  return unique;
}

/** Exactly one of `job_ids` and `scope`, in Grape's `exactly_one_of` words; the scope checked like the list's. */
export function parseBulkCancelSelection(jobIds: unknown, scope: unknown): { jobIds: number[] } | { statuses: string[] } {
  if (jobIds !== undefined && scope !== undefined) throw new ApiError(400, { error: 'job_ids, scope are mutually exclusive' });
  if (jobIds === undefined && scope === undefined) {
    throw new ApiError(400, { error: 'job_ids, scope are missing, exactly one parameter must be provided' });
  }
  if (jobIds !== undefined) return { jobIds: parseJobIds(jobIds)! };
  const statuses = parseScope(scope)!;
  if (statuses.length === 0) throw invalidParam('scope', 'is empty');
  return { statuses };
}

/**
 * An emitter that holds every event until `flush`: the bulk cancel's events are announced only once its
 * transaction has committed, and never for a cancel that was rolled back.
 */
function deferredEvents(target: ConveyorEvents): { events: ConveyorEvents; flush(): void } {
  const events = new ConveyorEvents();
  const pending: Array<[string, unknown[]]> = [];
  events.emit = ((name: string, ...args: unknown[]) => {
    pending.push([name, args]);
    return true;
  }) as ConveyorEvents['emit'];
  return {
    events,
    flush() {
      for (const [name, args] of pending.splice(0)) (target.emit as (name: string, ...args: unknown[]) => boolean)(name, ...args);
    },
  };
}

/**
 * Cancels several jobs of a project as the single-job cancel does, all or nothing: every job goes through
 * `cancelJobAs` (Developer+, protected refs need push rights, bridges and other projects' jobs are 404), in
 * one transaction, so one refused or missing job leaves every job as it was. `jobIds` keeps the caller's
 * order; `statuses` selects the newest `BULK_CANCEL_LIMIT` builds in those statuses, as the job list's first
 * page would. Jobs already finished come back unchanged, like the single cancel's 201.
 */
export async function cancelJobsAs(
  ctx: ServiceContext,
  actor: Actor,
  idOrPath: string,
  selection: { jobIds: number[] } | { statuses: string[] },
): Promise<{ project: Project; jobs: Job[] }> {
  const project = await projectForBuilds(ctx, actor, idOrPath);
  const ids = 'jobIds' in selection
    ? selection.jobIds
    : (await ctx.store.jobs.list(
        { projectId: project.id, type: 'build', includeRetried: true, statuses: selection.statuses },
        { kind: 'keyset', afterId: null, order: 'desc', limit: BULK_CANCEL_LIMIT },
      )).rows.map((j) => j.id);
  const deferred = deferredEvents(ctx.events);
  const jobs = await ctx.store.transaction(async (store) => {
    const scoped: ServiceContext = { ...ctx, store, events: deferred.events };
    const done: Job[] = [];
    for (const id of ids) done.push((await cancelJobAs(scoped, actor, idOrPath, id)).job);
    return done;
  });
  deferred.flush();
  return { project, jobs };
}
