import type { Kysely } from 'kysely';

/**
 * Time-window filters of the project job list (`created_after/before`, `updated_after/before`): the list
 * takes a narrow window's ids from these indexes alone (see JobsRepository.list); 002 already covers
 * scope (status), name and ref, each with the id the list is ordered by.
 */
export function jobListIndexes() {
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema.createIndex('jobs_project_created_at_id').on('jobs').columns(['project_id', 'created_at', 'id']).execute();
      await db.schema.createIndex('jobs_project_updated_at_id').on('jobs').columns(['project_id', 'updated_at', 'id']).execute();
    },
  };
}
