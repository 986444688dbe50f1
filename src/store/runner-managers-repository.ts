import { sql, type Kysely, type Selectable } from 'kysely';
import type { Database, RunnerManagersTable } from './schema.js';
import { compiledLookup, rowsByKeys } from './compiled-lookup.js';

/** A machine (`system_id`) using a runner's token, with what it last reported about itself. */
export interface RunnerManager {
  id: number;
  runnerId: number;
  systemId: string;
  version: string | null;
  revision: string | null;
  platform: string | null;
  architecture: string | null;
  executor: string | null;
  ipAddress: string | null;
  features: Record<string, unknown>;
  createdAt: string;
  contactedAt: string | null;
}

export type RunnerManagerDetails = Pick<RunnerManager, 'version' | 'revision' | 'platform' | 'architecture' | 'executor' | 'ipAddress' | 'features'>;

function toManager(row: Selectable<RunnerManagersTable>): RunnerManager {
  return {
    id: row.id,
    runnerId: row.runner_id,
    systemId: row.system_id,
    version: row.version,
    revision: row.revision,
    platform: row.platform,
    architecture: row.architecture,
    executor: row.executor,
    ipAddress: row.ip_address,
    features: JSON.parse(row.features) as Record<string, unknown>,
    createdAt: row.created_at,
    contactedAt: row.contacted_at,
  };
}

export class RunnerManagersRepository {
  private readonly rowById = compiledLookup(() => this.db, (db, id: number) => db.selectFrom('runner_managers').selectAll().where('id', '=', id));

  constructor(private readonly db: Kysely<Database>) {}

  /** Records a heartbeat: creates the manager on first contact, refreshes what it reports afterwards. */
  async upsert(runnerId: number, systemId: string, details: RunnerManagerDetails, now: string): Promise<RunnerManager> {
    const values = {
      version: details.version,
      revision: details.revision,
      platform: details.platform,
      architecture: details.architecture,
      executor: details.executor,
      ip_address: details.ipAddress,
      features: JSON.stringify(details.features),
      contacted_at: now,
    };
    const row = await this.db
      .insertInto('runner_managers')
      .values(Object.assign({ runner_id: runnerId, system_id: systemId, created_at: now }, values))
      .onConflict((oc) => oc.columns(['runner_id', 'system_id']).doUpdateSet(values))
      .returningAll()
      .executeTakeFirstOrThrow();
    return toManager(row);
  }

  async findById(id: number): Promise<RunnerManager | undefined> {
    const row = await this.db.selectFrom('runner_managers').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toManager(row);
  }

  async findByIds(ids: number[]): Promise<Map<number, RunnerManager>> {
    const rows = await rowsByKeys(ids, (id) => this.rowById(id), (unique) => this.db.selectFrom('runner_managers').selectAll().where('id', 'in', unique).execute());
    return new Map(rows.map((r) => [r.id, toManager(r)]));
  }

  async findBySystemId(runnerId: number, systemId: string): Promise<RunnerManager | undefined> {
    const row = await this.db.selectFrom('runner_managers').selectAll().where('runner_id', '=', runnerId).where('system_id', '=', systemId).executeTakeFirst();
    return row && toManager(row);
  }

  /** Runner ids and versions of the managers whose version starts with `prefix` (taken literally). */
  async versionsStartingWith(prefix: string): Promise<Array<{ runnerId: number; systemId: string; version: string }>> {
    const pattern = `${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    const rows = await this.db
      .selectFrom('runner_managers')
      .select(['runner_id', 'system_id', 'version'])
      .where(sql<boolean>`${sql.ref('version')} like ${pattern} escape '\\'`)
      .execute();
    return rows.map((r) => ({ runnerId: r.runner_id, systemId: r.system_id, version: r.version ?? '' }));
  }

  async listByRunner(runnerId: number): Promise<RunnerManager[]> {
    const rows = await this.db.selectFrom('runner_managers').selectAll().where('runner_id', '=', runnerId).orderBy('id').execute();
    return rows.map(toManager);
  }

  async delete(runnerId: number, systemId: string): Promise<boolean> {
    const result = await this.db.deleteFrom('runner_managers').where('runner_id', '=', runnerId).where('system_id', '=', systemId).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }
}
