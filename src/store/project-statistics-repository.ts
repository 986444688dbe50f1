import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

export interface StoredProjectStatistics {
  jobArtifactsSize: number;
  /** Null until measured since the last push. */
  repository: { size: number; commitCount: number } | null;
  /** Moved by every push; a measurement is recorded only if it has not moved since it was read. */
  repositoryVersion: number;
}

export interface ArtifactsSizeRefresh {
  projectId: number;
  state: 'created' | 'running';
  lastArtifactIdAtStart: number | null;
  lastArtifactId: number;
  createdAt: string;
  updatedAt: string;
}

/** Runs `work` in the caller's transaction, or in one of its own: a counter moves with the rows it counts. */
export function inTransaction<T>(db: Kysely<Database>, work: (trx: Kysely<Database>) => Promise<T>): Promise<T> {
  return db.isTransaction ? work(db) : db.transaction().execute(work);
}

/** Adds each project's delta to its artifacts' total size (rows appear on first use), in project order. */
export async function addArtifactsSize(db: Kysely<Database>, deltas: Map<number, number>): Promise<void> {
  for (const [projectId, delta] of [...deltas].sort((a, b) => a[0] - b[0])) {
    if (delta === 0) continue;
    await db
      .insertInto('project_statistics')
      .values({ project_id: projectId, job_artifacts_size: delta })
      .onConflict((oc) => oc.column('project_id').doUpdateSet((eb) => ({ job_artifacts_size: eb('project_statistics.job_artifacts_size', '+', delta) })))
      .execute();
  }
}

/**
 * Waits for, then holds, the recount rows of these projects (PostgreSQL; SQLite's writers are serialized):
 * every recount step and every artifact insert or delete takes its project's row first, so a step's batch
 * and a removal's view of how far the walk got never cross.
 */
export async function lockRecounts(db: Kysely<Database>, projectIds: number[]): Promise<void> {
  if (projectIds.length === 0) return;
  await db.updateTable('build_artifacts_size_refreshes').set((eb) => ({ updated_at: eb.ref('updated_at') })).where('project_id', 'in', [...new Set(projectIds)].sort((a, b) => a - b)).execute();
}

/**
 * Takes removed artifacts off their projects' totals, except those a running recount has yet to walk to:
 * it will not find them, so they were never added back.
 */
export async function subtractRemovedSizes(db: Kysely<Database>, removed: Array<{ id: number; projectId: number; size: number | null }>): Promise<void> {
  if (removed.length === 0) return;
  const projectIds = [...new Set(removed.map((a) => a.projectId))];
  await lockRecounts(db, projectIds);
  const running = await db
    .selectFrom('build_artifacts_size_refreshes')
    .select(['project_id', 'last_artifact_id', 'last_artifact_id_at_start'])
    .where('project_id', 'in', projectIds)
    .where('state', '=', 'running')
    .execute();
  const unwalked = new Map(running.map((r) => [r.project_id, { after: Number(r.last_artifact_id), upTo: Number(r.last_artifact_id_at_start ?? 0) }]));
  const counted = removed.filter((a) => {
    const walk = unwalked.get(a.projectId);
    return !walk || a.id <= walk.after || a.id > walk.upTo;
  });
  await addArtifactsSize(db, new Map([...sizesByProject(counted)].map(([projectId, size]) => [projectId, -size])));
}

/** The sizes of `artifacts` summed per project. */
export function sizesByProject(artifacts: Array<{ projectId: number; size: number | null }>): Map<number, number> {
  const deltas = new Map<number, number>();
  for (const a of artifacts) deltas.set(a.projectId, (deltas.get(a.projectId) ?? 0) + (a.size ?? 0));
  return deltas;
}

function toRefresh(row: Database['build_artifacts_size_refreshes'] & { last_artifact_id: number }): ArtifactsSizeRefresh {
  return {
    projectId: row.project_id,
    state: row.state,
    lastArtifactIdAtStart: row.last_artifact_id_at_start,
    lastArtifactId: Number(row.last_artifact_id),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** GitLab's project_statistics (the artifacts' size) and its build-artifacts-size refreshes. */
export class ProjectStatisticsRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** Each project's stored figures (a project without a row has none measured and no artifacts). */
  async findMany(projectIds: number[]): Promise<Map<number, StoredProjectStatistics>> {
    const found = new Map<number, StoredProjectStatistics>();
    for (const id of projectIds) found.set(id, { jobArtifactsSize: 0, repository: null, repositoryVersion: 0 });
    if (projectIds.length === 0) return found;
    const rows = await this.db.selectFrom('project_statistics').selectAll().where('project_id', 'in', [...new Set(projectIds)]).execute();
    for (const row of rows) {
      found.set(row.project_id, {
        jobArtifactsSize: Number(row.job_artifacts_size),
        repository: row.repository_size === null || row.commit_count === null ? null : { size: Number(row.repository_size), commitCount: Number(row.commit_count) },
        repositoryVersion: Number(row.repository_version),
      });
    }
    return found;
  }

  /** A push changed the repository: its figures are measured again when next asked for. */
  async repositoryChanged(projectId: number): Promise<void> {
    await this.db
      .insertInto('project_statistics')
      .values({ project_id: projectId, repository_version: 1 })
      .onConflict((oc) =>
        oc.column('project_id').doUpdateSet((eb) => ({ repository_size: null, commit_count: null, repository_version: eb('project_statistics.repository_version', '+', 1) })),
      )
      .execute();
  }

  /** Records the repository's figures measured at `version`, unless a push moved it meanwhile. */
  async recordRepository(projectId: number, version: number, size: number, commitCount: number): Promise<void> {
    await this.db
      .insertInto('project_statistics')
      .values({ project_id: projectId, repository_size: size, commit_count: commitCount, repository_version: version })
      .onConflict((oc) => oc.column('project_id').doUpdateSet({ repository_size: size, commit_count: commitCount }).where('project_statistics.repository_version', '=', version))
      .execute();
  }

  /** Queues a recount for each project that has none queued or running; answers the projects queued now. */
  async enqueueRefresh(projectIds: number[], now: string): Promise<number[]> {
    if (projectIds.length === 0) return [];
    const rows = await this.db
      .insertInto('build_artifacts_size_refreshes')
      .values(projectIds.map((projectId) => ({ project_id: projectId, state: 'created' as const, created_at: now, updated_at: now })))
      .onConflict((oc) => oc.column('project_id').doNothing())
      .returning('project_id')
      .execute();
    return rows.map((r) => r.project_id);
  }

  async isRefreshing(projectId: number): Promise<boolean> {
    const row = await this.db.selectFrom('build_artifacts_size_refreshes').select('project_id').where('project_id', '=', projectId).executeTakeFirst();
    return row !== undefined;
  }

  /** Of `projectIds`, those whose artifacts' size is being recounted. */
  async refreshingAmong(projectIds: number[]): Promise<Set<number>> {
    if (projectIds.length === 0) return new Set();
    const rows = await this.db.selectFrom('build_artifacts_size_refreshes').select('project_id').where('project_id', 'in', [...new Set(projectIds)]).execute();
    return new Set(rows.map((r) => r.project_id));
  }

  /** The refresh that waited longest for its next step. */
  async nextRefresh(): Promise<ArtifactsSizeRefresh | undefined> {
    const row = await this.db.selectFrom('build_artifacts_size_refreshes').selectAll().orderBy('updated_at').orderBy('project_id').limit(1).executeTakeFirst();
    return row ? toRefresh(row as Parameters<typeof toRefresh>[0]) : undefined;
  }

  /**
   * created → running: the total restarts at zero, and the walk will count the artifacts up to the newest
   * one now (read after the total's row is locked by the reset, so an artifact counted as it came is not
   * walked again).
   */
  async startRefresh(projectId: number, now: string): Promise<boolean> {
    return inTransaction(this.db, async (trx) => {
      const started = await trx
        .updateTable('build_artifacts_size_refreshes')
        .set({ state: 'running', last_artifact_id: 0, updated_at: now })
        .where('project_id', '=', projectId)
        .where('state', '=', 'created')
        .executeTakeFirst();
      if (Number(started.numUpdatedRows) === 0) return false;
      await trx
        .insertInto('project_statistics')
        .values({ project_id: projectId, job_artifacts_size: 0 })
        .onConflict((oc) => oc.column('project_id').doUpdateSet({ job_artifacts_size: 0 }))
        .execute();
      const newest = await trx.selectFrom('job_artifacts').select((eb) => eb.fn.max('id').as('id')).where('project_id', '=', projectId).executeTakeFirst();
      await trx
        .updateTable('build_artifacts_size_refreshes')
        .set({ last_artifact_id_at_start: newest?.id == null ? null : Number(newest.id) })
        .where('project_id', '=', projectId)
        .execute();
      return true;
    });
  }

  /**
   * One step of a running walk from `from`: under the recount's row lock, the next `limit` artifacts up to
   * where the walk stops are read and added to the total; answers false when the walk had already moved
   * (another process stepped it) or has ended (then the recount row is gone).
   */
  async advanceRefresh(projectId: number, from: number, limit: number, now: string): Promise<boolean> {
    return inTransaction(this.db, async (trx) => {
      const refresh = await trx
        .updateTable('build_artifacts_size_refreshes')
        .set({ updated_at: now })
        .where('project_id', '=', projectId)
        .where('state', '=', 'running')
        .where('last_artifact_id', '=', from)
        .returning('last_artifact_id_at_start')
        .executeTakeFirst();
      if (!refresh) return false;
      const batch = await trx
        .selectFrom('job_artifacts')
        .select(['id', 'size'])
        .where('project_id', '=', projectId)
        .where('id', '>', from)
        .where('id', '<=', Number(refresh.last_artifact_id_at_start ?? 0))
        .orderBy('id')
        .limit(limit)
        .execute();
      if (batch.length === 0) {
        await trx.deleteFrom('build_artifacts_size_refreshes').where('project_id', '=', projectId).execute();
        return true;
      }
      await trx.updateTable('build_artifacts_size_refreshes').set({ last_artifact_id: batch[batch.length - 1].id }).where('project_id', '=', projectId).execute();
      await addArtifactsSize(trx, new Map([[projectId, batch.reduce((sum, row) => sum + Number(row.size ?? 0), 0)]]));
      return true;
    });
  }
}
