import type { Kysely, Selectable } from 'kysely';
import type { Database, JobArtifactsTable } from './schema.js';

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
}

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
  };
}

export class JobArtifactsRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(a: Omit<JobArtifact, 'id'>): Promise<JobArtifact> {
    const row = await this.db
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
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return toArtifact(row);
  }

  /** Artifacts of many jobs in one query, grouped by job (a list page needs them all). */
  async listByJobs(jobIds: number[]): Promise<Map<number, JobArtifact[]>> {
    const out = new Map<number, JobArtifact[]>();
    if (jobIds.length === 0) return out;
    const rows = await this.db.selectFrom('job_artifacts').selectAll().where('job_id', 'in', [...new Set(jobIds)]).orderBy('id').execute();
    for (const row of rows) out.set(row.job_id, [...(out.get(row.job_id) ?? []), toArtifact(row)]);
    return out;
  }

  async deleteByJob(jobId: number, options: { keepTrace?: boolean } = {}): Promise<JobArtifact[]> {
    let q = this.db.deleteFrom('job_artifacts').where('job_id', '=', jobId);
    if (options.keepTrace) q = q.where('file_type', '!=', 'trace');
    const rows = await q.returningAll().execute();
    return rows.map(toArtifact);
  }
}
