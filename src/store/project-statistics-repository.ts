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

/** Adds each project's delta to its artifacts' total size (rows appear on first use). */
export async function addArtifactsSize(db: Kysely<Database>, deltas: Map<number, number>): Promise<void> {
  for (const [projectId, delta] of deltas) {
    if (delta === 0) continue;
    await db
      .insertInto('project_statistics')
      .values({ project_id: projectId, job_artifacts_size: delta })
      .onConflict((oc) => oc.column('project_id').doUpdateSet((eb) => ({ job_artifacts_size: eb('project_statistics.job_artifacts_size', '+', delta) })))
      .execute();
  }
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

  /** One batch of the walk counted: artifacts after `from` up to `to` held `size` bytes. */
  async advanceRefresh(projectId: number, from: number, to: number, size: number, now: string): Promise<boolean> {
    return inTransaction(this.db, async (trx) => {
      const moved = await trx
        .updateTable('build_artifacts_size_refreshes')
        .set({ last_artifact_id: to, updated_at: now })
        .where('project_id', '=', projectId)
        .where('state', '=', 'running')
        .where('last_artifact_id', '=', from)
        .executeTakeFirst();
      if (Number(moved.numUpdatedRows) === 0) return false;
      await addArtifactsSize(trx, new Map([[projectId, size]]));
      return true;
    });
  }

  async finishRefresh(projectId: number): Promise<void> {
    await this.db.deleteFrom('build_artifacts_size_refreshes').where('project_id', '=', projectId).execute();
  }
}
