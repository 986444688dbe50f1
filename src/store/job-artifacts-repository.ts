import type { DeleteQueryBuilder, DeleteResult, Kysely, Selectable } from 'kysely';
import { addArtifactsSize, inTransaction, lockRecounts, sizesByProject, subtractRemovedSizes } from './project-statistics-repository.js';
import type { Database, JobArtifactsTable } from './schema.js';
import { compiledStatement } from './compiled-lookup.js';
import { NEXT_LOCK_VERSION } from './jobs-repository.js';

export type ArtifactAccessibility = 'public' | 'private' | 'none';

export interface JobArtifact {
  id: number;
  projectId: number;
  jobId: number;
  fileType: string;
  fileFormat: string;
  filename: string;
  size: number | null;
  sha256: string | null;
  blobKey: string | null;
  expireAt: string | null;
  locked: boolean;
  createdAt: string;
  /** Who may download it: `public` (anyone who reads the job), `private` (Developer+), `none` (no one). */
  accessibility: ArtifactAccessibility;
}

export type NewJobArtifact = Omit<JobArtifact, 'id' | 'accessibility'> & { accessibility?: ArtifactAccessibility };

function toArtifact(row: Selectable<JobArtifactsTable>): JobArtifact {
  return {
    id: row.id,
    projectId: row.project_id,
    jobId: row.job_id,
    fileType: row.file_type,
    fileFormat: row.file_format,
    filename: row.filename,
    size: row.size,
    sha256: row.sha256,
    blobKey: row.blob_key,
    expireAt: row.expire_at,
    locked: row.locked === 1,
    createdAt: row.created_at,
    accessibility: (row.accessibility ?? 'public') as ArtifactAccessibility,
  };
}

async function keepExpiryOnJob(db: Kysely<Database>, jobId: number, expireAt: string | null): Promise<void> {
  await db.updateTable('jobs').set({ artifacts_expire_at: expireAt, lock_version: NEXT_LOCK_VERSION }).where('id', '=', jobId).execute();
}

export class JobArtifactsRepository {
  private readonly rowsOfJobRange = compiledStatement(() => this.db, (db, low: number, high: number) =>
    db.selectFrom('job_artifacts').selectAll().where('job_id', '>=', low).where('job_id', '<=', high),
  );
  private readonly rowsOfJob = compiledStatement(() => this.db, (db, jobId: number) => db.selectFrom('job_artifacts').selectAll().where('job_id', '=', jobId).orderBy('id'));

  constructor(private readonly db: Kysely<Database>) {}

  /**
   * Inserts the row and adds its size to the project's statistics, together; an archive's expiry is also
   * kept on its job (GitLab's `artifacts_expire_at`), which outlives the row.
   */
  async insert(a: NewJobArtifact): Promise<JobArtifact> {
    return inTransaction(this.db, async (trx) => {
      await lockRecounts(trx, [a.projectId]);
      const artifact = await this.insertRow(trx, a);
      await addArtifactsSize(trx, sizesByProject([artifact]));
      if (a.fileType === 'archive') await keepExpiryOnJob(trx, a.jobId, a.expireAt);
      return artifact;
    });
  }

  private async insertRow(db: Kysely<Database>, a: NewJobArtifact): Promise<JobArtifact> {
    const row = await db
      .insertInto('job_artifacts')
      .values({
        project_id: a.projectId,
        job_id: a.jobId,
        file_type: a.fileType,
        file_format: a.fileFormat,
        filename: a.filename,
        size: a.size,
        sha256: a.sha256,
        blob_key: a.blobKey,
        expire_at: a.expireAt,
        locked: a.locked ? 1 : 0,
        created_at: a.createdAt,
        accessibility: a.accessibility ?? 'public',
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return toArtifact(row);
  }

  /** Artifacts of many jobs in one query, grouped by job (a list page needs them all). */
  async listByJobs(jobIds: number[]): Promise<Map<number, JobArtifact[]>> {
    const out = new Map<number, JobArtifact[]>();
    const unique = [...new Set(jobIds)];
    if (unique.length === 0) return out;
    const rows = unique.length === 1 ? (await this.rowsOfJob(unique[0])).rows : await this.#rowsOfJobs(unique);
    for (const row of rows) out.set(row.job_id, [...(out.get(row.job_id) ?? []), toArtifact(row)]);
    return out;
  }

  /**
   * A page of jobs mostly has neighbouring ids: then one range of the index (a compiled statement, the
   * other jobs' rows left out here) instead of an `in` list, which probes the index once per job and is
   * built and compiled anew each time (half of a job list's artifact lookup). Sparse ids take the list.
   */
  async #rowsOfJobs(jobIds: number[]): Promise<Array<Selectable<JobArtifactsTable>>> {
    let low = jobIds[0];
    let high = jobIds[0];
    for (const id of jobIds) {
      if (id < low) low = id;
      if (id > high) high = id;
    }
    if (high - low + 1 > 2 * jobIds.length) return this.db.selectFrom('job_artifacts').selectAll().where('job_id', 'in', jobIds).orderBy('id').execute();
    const wanted = new Set(jobIds);
    // Ordered here: `order by id` could lead the planner to walk the whole table in id order.
    return (await this.rowsOfJobRange(low, high)).rows.filter((row) => wanted.has(row.job_id)).sort((a, b) => a.id - b.id);
  }

  async listByJob(jobId: number): Promise<JobArtifact[]> {
    const { rows } = await this.rowsOfJob(jobId);
    return rows.map(toArtifact);
  }

  /** The job's artifact of one type (GitLab keeps at most one per type and job). */
  async findByJobAndType(jobId: number, fileType: string): Promise<JobArtifact | undefined> {
    const row = await this.db.selectFrom('job_artifacts').selectAll().where('job_id', '=', jobId).where('file_type', '=', fileType).orderBy('id').executeTakeFirst();
    return row ? toArtifact(row) : undefined;
  }

  async deleteByJob(jobId: number, options: { keepTrace?: boolean } = {}): Promise<JobArtifact[]> {
    return this.deleteWhere((q) => (options.keepTrace ? q.where('job_id', '=', jobId).where('file_type', '!=', 'trace') : q.where('job_id', '=', jobId)));
  }

  async deleteByIds(ids: number[]): Promise<JobArtifact[]> {
    if (ids.length === 0) return [];
    return this.deleteWhere((q) => q.where('id', 'in', ids));
  }

  /** Every artifact of the pipeline's jobs (the pipeline is being deleted). */
  async deleteByPipeline(pipelineId: number): Promise<JobArtifact[]> {
    return this.deleteWhere((q) => q.where('job_id', 'in', (eb) => eb.selectFrom('jobs').select('id').where('pipeline_id', '=', pipelineId)));
  }

  /** Deletes rows and takes their sizes off the projects' statistics, together; answers the rows removed. */
  private deleteWhere(where: (q: DeleteQueryBuilder<Database, 'job_artifacts', DeleteResult>) => DeleteQueryBuilder<Database, 'job_artifacts', DeleteResult>): Promise<JobArtifact[]> {
    return inTransaction(this.db, async (trx) => {
      const removed = (await where(trx.deleteFrom('job_artifacts')).returningAll().execute()).map(toArtifact);
      await subtractRemovedSizes(trx, removed);
      return removed;
    });
  }

  /** Keep: the job's artifacts never expire. */
  async clearExpiry(jobId: number): Promise<void> {
    await this.db.updateTable('job_artifacts').set({ expire_at: null }).where('job_id', '=', jobId).execute();
    await this.setJobExpiry(jobId, null);
  }

  /** The archive's expiry as the job keeps it (`jobs.artifacts_expire_at`), which outlives the rows. */
  async setJobExpiry(jobId: number, expireAt: string | null): Promise<void> {
    await keepExpiryOnJob(this.db, jobId, expireAt);
  }

  /** Artifacts whose expiry passed, oldest first, in batches (the sweeper's input). */
  async listExpired(now: string, afterId: number, limit: number): Promise<JobArtifact[]> {
    const rows = await this.db
      .selectFrom('job_artifacts')
      .selectAll()
      .where('expire_at', 'is not', null)
      .where('expire_at', '<', now)
      .where('locked', '=', 0)
      .where('id', '>', afterId)
      .orderBy('id')
      .limit(limit)
      .execute();
    return rows.map(toArtifact);
  }

  /** A project's artifacts other than logs, by id, in batches (deleting all of a project's artifacts). */
  async listDeletableByProject(projectId: number, afterId: number, limit: number): Promise<JobArtifact[]> {
    const rows = await this.db
      .selectFrom('job_artifacts')
      .selectAll()
      .where('project_id', '=', projectId)
      .where('file_type', '!=', 'trace')
      .where('id', '>', afterId)
      .orderBy('id')
      .limit(limit)
      .execute();
    return rows.map(toArtifact);
  }

  /** Ids of the project's successful pipelines on `ref`, newest first (at most `limit`). */
  async successfulPipelineIdsOnRef(projectId: number, ref: string, limit: number): Promise<number[]> {
    const rows = await this.db
      .selectFrom('pipelines')
      .select('id')
      .where('project_id', '=', projectId)
      .where('ref', '=', ref)
      .where('status', '=', 'success')
      .where('parent_pipeline_id', 'is', null)
      .orderBy('id', 'desc')
      .limit(limit)
      .execute();
    return rows.map((r) => r.id);
  }

  /** Same-project child pipelines of a pipeline, oldest first. */
  async childPipelineIds(projectId: number, parentId: number): Promise<number[]> {
    const rows = await this.db
      .selectFrom('pipelines')
      .select('id')
      .where('project_id', '=', projectId)
      .where('parent_pipeline_id', '=', parentId)
      .orderBy('id')
      .execute();
    return rows.map((r) => r.id);
  }

  /** The non-retried builds named `name` in these pipelines that have a stored archive, as (pipeline, job) ids. */
  async jobsWithArchive(pipelineIds: number[], name: string): Promise<Array<{ pipelineId: number; jobId: number }>> {
    if (pipelineIds.length === 0) return [];
    const rows = await this.db
      .selectFrom('jobs')
      .innerJoin('job_artifacts', 'job_artifacts.job_id', 'jobs.id')
      .select(['jobs.pipeline_id', 'jobs.id'])
      .where('jobs.pipeline_id', 'in', pipelineIds)
      .where('jobs.name', '=', name)
      .where('jobs.type', '=', 'build')
      .where('jobs.retried', '=', 0)
      .where('job_artifacts.file_type', '=', 'archive')
      .where('job_artifacts.blob_key', 'is not', null)
      .orderBy('jobs.id')
      .execute();
    return rows.map((r) => ({ pipelineId: r.pipeline_id, jobId: r.id }));
  }
}
