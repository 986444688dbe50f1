import type { Kysely, Selectable } from 'kysely';
import type { Dialect } from './db.js';
import type { Database, PipelinesTable } from './schema.js';
import { fetchPage, type Page, type PageRequest } from './page.js';
import { compiledLookup, rowsByKeys } from './compiled-lookup.js';

export interface PipelineVariable {
  key: string;
  value: string;
  variable_type: 'env_var' | 'file';
}

export interface Pipeline {
  id: number;
  projectId: number;
  iid: number;
  ref: string;
  tag: boolean;
  sha: string;
  beforeSha: string;
  source: string;
  status: string;
  name: string | null;
  userId: number | null;
  yamlErrors: string | null;
  failureReason: string | null;
  variables: PipelineVariable[];
  yamlVariables: Array<{ key: string; value: string; expand: boolean }>;
  protectedRef: boolean;
  sourceJobId: number | null;
  parentPipelineId: number | null;
  autoCanceledById: number | null;
  coverage: string | null;
  createdAt: string;
  updatedAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  committedAt: string | null;
}

export type NewPipeline = Omit<Pipeline, 'id' | 'iid'>;
export type PipelineChanges = Partial<Pick<Pipeline, 'status' | 'updatedAt' | 'startedAt' | 'finishedAt' | 'autoCanceledById' | 'coverage' | 'yamlErrors' | 'failureReason'>>;

export interface PipelineFilter {
  projectId: number;
  statuses?: string[];
  ref?: string;
  sha?: string;
  source?: string;
  userId?: number;
  name?: string;
  updatedAfter?: string;
  updatedBefore?: string;
}

function toPipeline(row: Selectable<PipelinesTable>): Pipeline {
  return {
    id: row.id,
    projectId: row.project_id,
    iid: row.iid,
    ref: row.ref,
    tag: row.tag === 1,
    sha: row.sha,
    beforeSha: row.before_sha,
    source: row.source,
    status: row.status,
    name: row.name,
    userId: row.user_id,
    yamlErrors: row.yaml_errors,
    failureReason: row.failure_reason,
    variables: JSON.parse(row.variables) as PipelineVariable[],
    yamlVariables: JSON.parse(row.yaml_variables) as Pipeline['yamlVariables'],
    protectedRef: row.protected_ref === 1,
    sourceJobId: row.source_job_id,
    parentPipelineId: row.parent_pipeline_id,
    autoCanceledById: row.auto_canceled_by_id,
    coverage: row.coverage,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    committedAt: row.committed_at,
  };
}

const COLUMN_OF: Record<keyof PipelineChanges, keyof PipelinesTable> = {
  status: 'status',
  updatedAt: 'updated_at',
  startedAt: 'started_at',
  finishedAt: 'finished_at',
  autoCanceledById: 'auto_canceled_by_id',
  coverage: 'coverage',
  yamlErrors: 'yaml_errors',
  failureReason: 'failure_reason',
};

export class PipelinesRepository {
  private readonly rowById = compiledLookup(() => this.db, (db, id: number) => db.selectFrom('pipelines').selectAll().where('id', '=', id));

  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: Dialect,
  ) {}

  /**
   * Inserts with the next per-project iid; call inside a transaction so iids stay dense and unique.
   * SQLite runs one transaction at a time; PostgreSQL would let two (a push and an API call, say) read
   * the same max, so the project's row is locked first, as GitLab's InternalId locks its counter.
   * NO KEY UPDATE: inserts elsewhere that merely reference the project are not held up.
   */
  async insert(p: NewPipeline): Promise<Pipeline> {
    if (this.dialect === 'postgres') {
      await this.db.selectFrom('projects').select('id').where('id', '=', p.projectId).forNoKeyUpdate().executeTakeFirst();
    }
    const max = await this.db
      .selectFrom('pipelines')
      .select((eb) => eb.fn.max('iid').as('iid'))
      .where('project_id', '=', p.projectId)
      .executeTakeFirst();
    const row = await this.db
      .insertInto('pipelines')
      .values({
        project_id: p.projectId,
        iid: Number(max?.iid ?? 0) + 1,
        ref: p.ref,
        tag: p.tag ? 1 : 0,
        sha: p.sha,
        before_sha: p.beforeSha,
        source: p.source,
        status: p.status,
        name: p.name,
        user_id: p.userId,
        yaml_errors: p.yamlErrors,
        failure_reason: p.failureReason,
        variables: JSON.stringify(p.variables),
        yaml_variables: JSON.stringify(p.yamlVariables),
        protected_ref: p.protectedRef ? 1 : 0,
        source_job_id: p.sourceJobId,
        parent_pipeline_id: p.parentPipelineId,
        auto_canceled_by_id: p.autoCanceledById,
        coverage: p.coverage,
        created_at: p.createdAt,
        updated_at: p.updatedAt,
        started_at: p.startedAt,
        finished_at: p.finishedAt,
        committed_at: p.committedAt,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return toPipeline(row);
  }

  async findById(id: number): Promise<Pipeline | undefined> {
    const row = await this.rowById(id);
    return row && toPipeline(row);
  }

  async findByIds(ids: number[]): Promise<Map<number, Pipeline>> {
    const rows = await rowsByKeys(ids, (id) => this.rowById(id), (unique) => this.db.selectFrom('pipelines').selectAll().where('id', 'in', unique).execute());
    return new Map(rows.map((r) => [r.id, toPipeline(r)]));
  }

  async latestForRef(projectId: number, ref: string): Promise<Pipeline | undefined> {
    const row = await this.db
      .selectFrom('pipelines')
      .selectAll()
      .where('project_id', '=', projectId)
      .where('ref', '=', ref)
      .orderBy('id', 'desc')
      .limit(1)
      .executeTakeFirst();
    return row && toPipeline(row);
  }

  /** Pipelines of the project on `ref` that are still running, older than `beforeId`. */
  async listUnfinishedOnRef(projectId: number, ref: string, beforeId: number): Promise<Pipeline[]> {
    const rows = await this.db
      .selectFrom('pipelines')
      .selectAll()
      .where('project_id', '=', projectId)
      .where('ref', '=', ref)
      .where('id', '<', beforeId)
      .where('status', 'in', ['created', 'waiting_for_resource', 'preparing', 'pending', 'running', 'scheduled'])
      .execute();
    return rows.map(toPipeline);
  }

  async list(filter: PipelineFilter, page: PageRequest): Promise<Page<Pipeline>> {
    let q = this.db.selectFrom('pipelines').selectAll().where('project_id', '=', filter.projectId);
    if (filter.statuses) q = q.where('status', 'in', filter.statuses.length ? filter.statuses : ['-']);
    if (filter.ref !== undefined) q = q.where('ref', '=', filter.ref);
    if (filter.sha !== undefined) q = q.where('sha', '=', filter.sha);
    if (filter.source !== undefined) q = q.where('source', '=', filter.source);
    if (filter.userId !== undefined) q = q.where('user_id', '=', filter.userId);
    if (filter.name !== undefined) q = q.where('name', '=', filter.name);
    if (filter.updatedAfter !== undefined) q = q.where('updated_at', '>', filter.updatedAfter);
    if (filter.updatedBefore !== undefined) q = q.where('updated_at', '<', filter.updatedBefore);
    const result = await fetchPage(this.db, q, page, 'id', 'desc');
    return { ...result, rows: result.rows.map(toPipeline) };
  }

  async update(id: number, changes: PipelineChanges): Promise<void> {
    const set: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(changes)) if (value !== undefined) set[COLUMN_OF[key as keyof PipelineChanges]] = value;
    if (Object.keys(set).length === 0) return;
    await this.db.updateTable('pipelines').set(set).where('id', '=', id).execute();
  }

  /** PostgreSQL: locks the pipeline's job rows until the transaction ends (SQLite's writers are serialized anyway). */
  async lockJobs(id: number): Promise<void> {
    if (this.dialect === 'postgres') await this.db.selectFrom('jobs').select('id').where('pipeline_id', '=', id).forUpdate().execute();
  }

  async delete(id: number): Promise<void> {
    await this.db.deleteFrom('jobs').where('pipeline_id', '=', id).execute();
    await this.db.deleteFrom('pipelines').where('id', '=', id).execute();
  }
}
