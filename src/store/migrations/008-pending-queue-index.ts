import { sql, type Kysely } from 'kysely';

/**
 * The runner queue's own index: only pending builds, carrying every column a runner's match needs, so a
 * job request reads its candidates from the index alone instead of visiting 50 job rows through
 * (status, id). It stays small however many jobs a project keeps: rows leave it when they start.
 */
export function pendingQueueIndex() {
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createIndex('jobs_pending_queue')
        .on('jobs')
        .columns(['id', 'project_id', 'protected', 'tag_list'])
        .where(sql.ref('status'), '=', 'pending')
        .where(sql.ref('type'), '=', 'build')
        .execute();
    },
  };
}
