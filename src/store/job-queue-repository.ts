import { sql, type Kysely } from 'kysely';
import type { Database } from './schema.js';
import { toJob, type Job } from './jobs-repository.js';

/** The pending builds runners pick from, read through the narrow `jobs_pending_queue` partial index. */
export class JobQueueRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /**
   * Pending builds oldest first, after `afterId`; only these projects' when given. The status test is
   * a literal so both planners see that the partial index applies.
   */
  async candidates(afterId: number, limit: number, projectIds?: number[]): Promise<Job[]> {
    if (projectIds && projectIds.length === 0) return [];
    let q = this.db
      .selectFrom('jobs')
      .selectAll()
      .where(sql<boolean>`status = 'pending'`)
      .where('type', '=', 'build')
      .where('id', '>', afterId);
    if (projectIds) q = q.where('project_id', 'in', projectIds);
    const rows = await q.orderBy('id', 'asc').limit(limit).execute();
    return rows.map(toJob);
  }
}
