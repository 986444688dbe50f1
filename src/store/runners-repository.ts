import { sql, type Kysely, type Selectable } from 'kysely';
import type { Database, RunnersTable } from './schema.js';
import { fetchPage, type Page, type PageRequest } from './page.js';
import { compiledLookup, rowsByKeys } from './compiled-lookup.js';

export type RunnerType = 'instance_type' | 'group_type' | 'project_type';

export interface Runner {
  id: number;
  runnerType: RunnerType;
  tokenDigest: string;
  shortSha: string;
  tokenExpiresAt: string | null;
  description: string;
  maintenanceNote: string | null;
  paused: boolean;
  locked: boolean;
  runUntagged: boolean;
  tagList: string[];
  accessLevel: 'not_protected' | 'ref_protected';
  maximumTimeout: number | null;
  groupId: number | null;
  registrationType: 'registration_token' | 'authenticated_user';
  creatorId: number | null;
  createdAt: string;
  contactedAt: string | null;
}

export type NewRunner = Omit<Runner, 'id' | 'contactedAt'>;
export type RunnerChanges = Partial<
  Pick<Runner, 'description' | 'maintenanceNote' | 'paused' | 'locked' | 'runUntagged' | 'tagList' | 'accessLevel' | 'maximumTimeout' | 'contactedAt' | 'tokenDigest' | 'shortSha' | 'tokenExpiresAt'>
>;

/** GitLab's runner status scopes; the times are the online and stale deadlines of the request. */
export interface RunnerStatusFilter {
  status: 'online' | 'offline' | 'never_contacted' | 'stale';
  /** Contacted after this is online. */
  onlineAfter: string;
  /** Created and last contacted (if ever) at or before this is stale. */
  staleBefore: string;
}

export interface RunnerFilter {
  type?: RunnerType;
  /** Any of these types (GitLab's deprecated `specific` scope is project and group runners). */
  types?: RunnerType[];
  paused?: boolean;
  /** Status scopes, all of which must hold. */
  statuses?: RunnerStatusFilter[];
  /** Only these runners (narrowed elsewhere first, e.g. by their managers' versions). */
  ids?: number[];
  /** Runners carrying every one of these tags. */
  tags?: string[];
  /** Matches description (and short token) case-insensitively. */
  search?: string;
  /** Runners of these projects (project runners assigned to them). */
  projectIds?: number[];
  /** Runners of these groups. */
  groupIds?: number[];
  /** Instance runners as well, for "every runner this caller can see". */
  includeInstance?: boolean;
}

function toRunner(row: Selectable<RunnersTable>): Runner {
  return {
    id: row.id,
    runnerType: row.runner_type as RunnerType,
    tokenDigest: row.token_digest,
    shortSha: row.short_sha,
    tokenExpiresAt: row.token_expires_at,
    description: row.description,
    maintenanceNote: row.maintenance_note,
    paused: row.paused === 1,
    locked: row.locked === 1,
    runUntagged: row.run_untagged === 1,
    tagList: JSON.parse(row.tag_list) as string[],
    accessLevel: row.access_level as Runner['accessLevel'],
    maximumTimeout: row.maximum_timeout,
    groupId: row.group_id,
    registrationType: row.registration_type as Runner['registrationType'],
    creatorId: row.creator_id,
    createdAt: row.created_at,
    contactedAt: row.contacted_at,
  };
}

const COLUMNS = {
  description: 'description', maintenanceNote: 'maintenance_note', paused: 'paused', locked: 'locked', runUntagged: 'run_untagged',
  tagList: 'tag_list', accessLevel: 'access_level', maximumTimeout: 'maximum_timeout', contactedAt: 'contacted_at',
  tokenDigest: 'token_digest', shortSha: 'short_sha', tokenExpiresAt: 'token_expires_at',
} as const satisfies Record<keyof RunnerChanges, keyof RunnersTable>;

function toColumnValue(key: keyof RunnerChanges, value: unknown): unknown {
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (key === 'tagList') return JSON.stringify(value);
  return value;
}

export class RunnersRepository {
  private readonly rowById = compiledLookup(() => this.db, (db, id: number) => db.selectFrom('runners').selectAll().where('id', '=', id));
  private readonly rowByTokenDigest = compiledLookup(() => this.db, (db, digest: string) => db.selectFrom('runners').selectAll().where('token_digest', '=', digest));

  constructor(private readonly db: Kysely<Database>) {}

  async insert(r: NewRunner): Promise<Runner> {
    const row = await this.db
      .insertInto('runners')
      .values({
        runner_type: r.runnerType,
        token_digest: r.tokenDigest,
        short_sha: r.shortSha,
        token_expires_at: r.tokenExpiresAt,
        description: r.description,
        maintenance_note: r.maintenanceNote,
        paused: r.paused ? 1 : 0,
        locked: r.locked ? 1 : 0,
        run_untagged: r.runUntagged ? 1 : 0,
        tag_list: JSON.stringify(r.tagList),
        access_level: r.accessLevel,
        maximum_timeout: r.maximumTimeout,
        group_id: r.groupId,
        registration_type: r.registrationType,
        creator_id: r.creatorId,
        created_at: r.createdAt,
        contacted_at: null,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return toRunner(row);
  }

  async findById(id: number): Promise<Runner | undefined> {
    const row = await this.rowById(id);
    return row && toRunner(row);
  }

  async findByTokenDigest(digest: string): Promise<Runner | undefined> {
    const row = await this.rowByTokenDigest(digest);
    return row && toRunner(row);
  }

  async findByIds(ids: number[]): Promise<Map<number, Runner>> {
    const rows = await rowsByKeys(ids, (id) => this.rowById(id), (unique) => this.db.selectFrom('runners').selectAll().where('id', 'in', unique).execute());
    return new Map(rows.map((r) => [r.id, toRunner(r)]));
  }

  async update(id: number, changes: RunnerChanges): Promise<void> {
    const values: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(changes)) {
      if (value !== undefined) values[COLUMNS[key as keyof RunnerChanges]] = toColumnValue(key as keyof RunnerChanges, value);
    }
    if (Object.keys(values).length === 0) return;
    await this.db.updateTable('runners').set(values).where('id', '=', id).execute();
  }

  async delete(id: number): Promise<boolean> {
    const result = await this.db.deleteFrom('runners').where('id', '=', id).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  async list(filter: RunnerFilter, page: PageRequest): Promise<Page<Runner>> {
    let q = this.db.selectFrom('runners').selectAll();
    if (filter.type) q = q.where('runner_type', '=', filter.type);
    if (filter.types) q = q.where('runner_type', 'in', filter.types.length > 0 ? filter.types : ['-']);
    if (filter.paused !== undefined) q = q.where('paused', '=', filter.paused ? 1 : 0);
    if (filter.ids) q = q.where('id', 'in', filter.ids.length > 0 ? filter.ids : [-1]);
    for (const status of filter.statuses ?? []) {
      if (status.status === 'online') q = q.where('contacted_at', '>', status.onlineAfter);
      // Never-contacted runners are not offline (`contacted_at <= deadline` is not true of NULL in GitLab either).
      if (status.status === 'offline') q = q.where('contacted_at', '<=', status.onlineAfter);
      if (status.status === 'never_contacted') q = q.where('contacted_at', 'is', null);
      if (status.status === 'stale') {
        q = q
          .where('created_at', '<=', status.staleBefore)
          .where((eb) => eb.or([eb('contacted_at', 'is', null), eb('contacted_at', '<=', status.staleBefore)]));
      }
    }
    if (filter.search) {
      const like = `%${filter.search.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      q = q.where((eb) => eb.or([eb(eb.fn('lower', ['description']), 'like', like), eb('short_sha', '=', filter.search!)]));
    }
    // Tags are stored as a JSON array: a tag matches as its quoted JSON string, LIKE wildcards taken literally.
    for (const tag of filter.tags ?? []) {
      const pattern = `%${JSON.stringify(tag).replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      q = q.where(sql<boolean>`${sql.ref('tag_list')} like ${pattern} escape '\\'`);
    }
    if (filter.projectIds !== undefined || filter.groupIds !== undefined) {
      const projectIds = filter.projectIds ?? [];
      const groupIds = filter.groupIds ?? [];
      q = q.where((eb) => {
        const scopes = [];
        if (projectIds.length > 0) {
          scopes.push(eb('id', 'in', eb.selectFrom('runner_projects').select('runner_id').where('project_id', 'in', projectIds)));
        }
        if (groupIds.length > 0) scopes.push(eb('group_id', 'in', groupIds));
        if (filter.includeInstance) scopes.push(eb('runner_type', '=', 'instance_type'));
        return scopes.length > 0 ? eb.or(scopes) : eb.val(false);
      });
    }
    const result = await fetchPage(this.db, q, page, 'id', 'asc');
    return { ...result, rows: result.rows.map(toRunner) };
  }

  async assignProject(runnerId: number, projectId: number, now: string): Promise<void> {
    await this.db
      .insertInto('runner_projects')
      .values({ runner_id: runnerId, project_id: projectId, created_at: now })
      .onConflict((oc) => oc.columns(['runner_id', 'project_id']).doNothing())
      .execute();
  }

  async unassignProject(runnerId: number, projectId: number): Promise<boolean> {
    const result = await this.db.deleteFrom('runner_projects').where('runner_id', '=', runnerId).where('project_id', '=', projectId).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  /** The projects a project runner serves, in assignment order (the first is its owner). */
  async projectIds(runnerId: number): Promise<number[]> {
    const rows = await this.db.selectFrom('runner_projects').select('project_id').where('runner_id', '=', runnerId).orderBy('id').execute();
    return rows.map((r) => r.project_id);
  }
}
