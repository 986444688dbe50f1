import type { Kysely } from 'kysely';
import type { Database } from './schema.js';
import { compiledLookup, compiledStatement } from './compiled-lookup.js';

/**
 * How many bytes of each job's log are stored. The row decides append offsets: bytes past `size` in the
 * blob are leftovers of an append that never committed, and the next append overwrites them.
 */
export class JobTracesRepository {
  private readonly sizeRow = compiledLookup(() => this.db, (db, jobId: number) => db.selectFrom('job_traces').select('size').where('job_id', '=', jobId));

  private readonly moveSize = compiledStatement(() => this.db, (db, jobId: number, from: number, to: number, now: string) =>
    db.updateTable('job_traces').set({ size: to, updated_at: now }).where('job_id', '=', jobId).where('size', '=', from));

  constructor(private readonly db: Kysely<Database>) {}

  async size(jobId: number): Promise<number> {
    const row = await this.sizeRow(jobId);
    return row ? Number(row.size) : 0;
  }

  async sizes(jobIds: number[]): Promise<Map<number, number>> {
    if (jobIds.length === 0) return new Map();
    const rows = await this.db.selectFrom('job_traces').select(['job_id', 'size']).where('job_id', 'in', [...new Set(jobIds)]).execute();
    return new Map(rows.map((r) => [r.job_id, Number(r.size)]));
  }

  /** Moves the stored length from `from` to `to` if nobody else moved it first. */
  async advance(jobId: number, from: number, to: number, now: string): Promise<boolean> {
    if (from === 0) {
      const inserted = await this.db
        .insertInto('job_traces')
        .values({ job_id: jobId, size: to, updated_at: now })
        .onConflict((oc) => oc.column('job_id').doUpdateSet({ size: to, updated_at: now }).where('job_traces.size', '=', 0))
        .executeTakeFirst();
      return Number(inserted.numInsertedOrUpdatedRows ?? 0) > 0;
    }
    return Number((await this.moveSize(jobId, from, to, now)).numAffectedRows ?? 0) > 0;
  }

  async delete(jobId: number): Promise<void> {
    await this.db.deleteFrom('job_traces').where('job_id', '=', jobId).execute();
  }
}
