import { sql, type Kysely } from 'kysely';
import type { Dialect } from './db.js';
import type { Database } from './schema.js';
import { toJob, type Job } from './jobs-repository.js';
import { compiledRowsOrderedById } from './rows-as-json.js';

/** A build another job may take artifacts from. */
export interface DependencyRow {
  id: number;
  name: string;
  stageIdx: number;
  erasedAt: string | null;
  /** When its archive expires or expired, even once swept (null: never, or no archive). */
  artifactsExpireAt: string | null;
  pipelineId: number;
  projectId: number;
}

/** A job as pipeline processing sees it. */
export interface ProcessingRow {
  id: number;
  name: string;
  stageIdx: number;
  status: string;
  when: string;
  allowFailure: boolean;
  /** Names of needed jobs for DAG jobs; null for stage scheduling. */
  needs: string[] | null;
}

/** What matching a runner needs of a pending job; the full row is read only for the one being taken. */
export interface QueuedJob {
  id: number;
  projectId: number;
  tagList: string[];
  protected: boolean;
}

const DEPENDENCY_COLUMNS = ['id', 'name', 'stage_idx', 'erased_at', 'artifacts_expire_at', 'pipeline_id', 'project_id'] as const;

type DependencyColumns = { id: number; name: string; stage_idx: number; erased_at: string | null; artifacts_expire_at: string | null; pipeline_id: number; project_id: number };

/** The pending builds runners pick from, read from the partial index jobs_pending_queue (migration 008). */
export class JobQueueRepository {
  #buildsBefore: ((pipelineId: number, stageBelow: number) => Promise<DependencyColumns[]>) | undefined;

  constructor(private readonly db: Kysely<Database>, private readonly dialect: Dialect) {}

  /** Pending builds oldest first, after `afterId`; only these projects' when given. */
  async candidates(afterId: number, limit: number, projectIds?: number[]): Promise<QueuedJob[]> {
    if (projectIds && projectIds.length === 0) return [];
    // SQLite's planner prefers (status, id) without statistics, which visits every candidate's row.
    const from = this.dialect === 'sqlite' ? sql`jobs indexed by jobs_pending_queue` : sql`jobs`;
    const inProjects = projectIds ? sql`and project_id in (${sql.join(projectIds)})` : sql``;
    // The literals must stay literals: a partial index serves only a query whose WHERE names its values.
    const { rows } = await sql<{ id: number; project_id: number; tag_list: string; protected: number | boolean }>`
      select id, project_id, tag_list, protected from ${from}
      where status = 'pending' and type = 'build' and id > ${afterId} ${inProjects}
      order by id limit ${limit}`.execute(this.db);
    return rows.map((row) => ({ id: row.id, projectId: row.project_id, tagList: JSON.parse(row.tag_list) as string[], protected: row.protected === 1 || row.protected === true }));
  }

  /** Builds in `status` whose `column` time is before `before`, oldest first: what the stuck-job sweep looks at. */
  async olderThan(status: 'pending' | 'running' | 'canceling', column: 'queued_at' | 'started_at' | 'updated_at', before: string, limit = 500): Promise<Job[]> {
    const rows = await this.db
      .selectFrom('jobs')
      .selectAll()
      .where('status', '=', status)
      .where('type', '=', 'build')
      .where(column, '<', before)
      .orderBy('id', 'asc')
      .limit(limit)
      .execute();
    return rows.map(toJob);
  }

  /** The pipeline's current builds before a stage (or all of them): what a job may download artifacts from. */
  async buildsBefore(pipelineId: number, stageIdx: number): Promise<DependencyRow[]> {
    // A job of a pipeline's last stage reads a row per earlier job: on SQLite as one JSON value. Read at
    // every assignment, so built and compiled once.
    this.#buildsBefore ??= compiledRowsOrderedById(
      () => this.db,
      this.dialect,
      (db, pipeline: number, stageBelow: number) =>
        db
          .selectFrom('jobs')
          .select(DEPENDENCY_COLUMNS)
          .where('pipeline_id', '=', pipeline)
          .where('type', '=', 'build')
          .where('retried', '=', 0)
          .where('stage_idx', '<', stageBelow)
          .orderBy('id', 'asc'),
      DEPENDENCY_COLUMNS,
      'asc',
    );
    // stage_idx is a 32-bit integer on PostgreSQL: a bound past it ("every stage") would be refused.
    const rows = await this.#buildsBefore(pipelineId, Math.min(stageIdx, 2_147_483_647));
    return rows.map((row) => ({ id: row.id, name: row.name, stageIdx: row.stage_idx, erasedAt: row.erased_at, artifactsExpireAt: row.artifacts_expire_at, pipelineId: row.pipeline_id, projectId: row.project_id }));
  }

  /**
   * What processing a pipeline needs of each current job, without parsing every job's compiled spec: only
   * DAG jobs bring their `needs` (from the options column).
   */
  async processingRows(pipelineId: number): Promise<ProcessingRow[]> {
    const rows = await this.db
      .selectFrom('jobs')
      .select(['id', 'name', 'stage_idx', 'status', 'when', 'allow_failure', 'scheduling_type'])
      .select(sql<string | null>`case when scheduling_type = 'dag' then options end`.as('dag_options'))
      .where('pipeline_id', '=', pipelineId)
      .where('retried', '=', 0)
      .orderBy('id', 'asc')
      .execute();
    return rows.map((row) => ({
      id: row.id,
      name: row.name,
      stageIdx: row.stage_idx,
      status: row.status,
      when: row.when,
      allowFailure: row.allow_failure === 1,
      needs: row.dag_options ? ((JSON.parse(row.dag_options) as { needs?: Array<{ name: string }> | null }).needs ?? []).map((n) => n.name) : null,
    }));
  }
}
