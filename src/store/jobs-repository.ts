import { sql, type Kysely, type Selectable } from 'kysely';
import type { JobSpec } from '../ci-config/types.js';
import type { Database, JobsTable } from './schema.js';
import { fetchPage, type Page, type PageRequest } from './page.js';
import type { Dialect } from './db.js';
import { rowsOrderedById } from './rows-as-json.js';
import { compiledLookup, compiledStatement } from './compiled-lookup.js';

export interface JobVariable {
  key: string;
  value: string;
}

/** A build or a bridge (GitLab's ci_builds row). `spec` is what the compiler produced for it. */
export interface Job {
  id: number;
  projectId: number;
  pipelineId: number;
  type: 'build' | 'bridge';
  name: string;
  stage: string;
  stageIdx: number;
  status: string;
  when: string;
  allowFailure: boolean;
  schedulingType: 'stage' | 'dag';
  ref: string;
  tag: boolean;
  protected: boolean;
  spec: JobSpec;
  tagList: string[];
  jobVariables: JobVariable[];
  resourceGroup: string | null;
  interruptible: boolean | null;
  userId: number | null;
  runnerId: number | null;
  runnerManagerId: number | null;
  tokenDigest: string | null;
  failureReason: string | null;
  exitCode: number | null;
  coverage: number | null;
  retried: boolean;
  retryCount: number;
  downstreamPipelineId: number | null;
  scheduledAt: string | null;
  queuedAt: string | null;
  startedAt: string | null;
  finishedAt: string | null;
  erasedAt: string | null;
  erasedById: number | null;
  /** The runner reported a debug log (CI_DEBUG_TRACE): only Developers may read it. */
  debugTrace: boolean;
  /** The archive's expiry as the job keeps it, past the archive's own removal (moved by the artifacts repository). */
  artifactsExpireAt: string | null;
  /** Moved by every change of the row (migration 011): what a kept rendering of the job is checked against. */
  lockVersion: number;
  createdAt: string;
  updatedAt: string;
}

/** What a job list shows of each job (the Job entity and what it links to): its other columns stay unread. */
export type ShownJob = Pick<
  Job,
  | 'id' | 'projectId' | 'pipelineId' | 'type' | 'name' | 'stage' | 'status' | 'ref' | 'tag' | 'coverage' | 'allowFailure' | 'tagList'
  | 'userId' | 'runnerId' | 'runnerManagerId' | 'failureReason' | 'downstreamPipelineId' | 'queuedAt' | 'startedAt' | 'finishedAt'
  | 'erasedAt' | 'artifactsExpireAt' | 'lockVersion' | 'createdAt'
>;

/** What a list needs of a job to load what its entity links to and to check a kept rendering of it. */
export type JobKeys = Pick<ShownJob, 'id' | 'lockVersion' | 'projectId' | 'pipelineId' | 'type' | 'userId' | 'runnerId' | 'runnerManagerId' | 'downstreamPipelineId'>;

/** The columns of ShownJob: a list reads 23 of 39, and leaves out `options` (~1 KB of JSON per job). */
const SHOWN_COLUMNS = [
  'id', 'project_id', 'pipeline_id', 'type', 'name', 'stage', 'status', 'ref', 'tag', 'coverage', 'allow_failure', 'tag_list', 'user_id',
  'runner_id', 'runner_manager_id', 'failure_reason', 'downstream_pipeline_id', 'queued_at', 'started_at', 'finished_at', 'erased_at',
  'artifacts_expire_at', 'lock_version', 'created_at',
] as const;

/** The columns of JobKeys; a list leaves out those its filter fixes (each value read costs, a string most). */
const KEY_COLUMNS = ['id', 'lock_version', 'project_id', 'pipeline_id', 'type', 'user_id', 'runner_id', 'runner_manager_id', 'downstream_pipeline_id'] as const;
type KeyRow = Pick<Selectable<JobsTable>, (typeof KEY_COLUMNS)[number]>;

export type NewJob = Omit<Job, 'id' | 'artifactsExpireAt' | 'lockVersion'>;
export type JobChanges = Partial<Omit<Job, 'id' | 'projectId' | 'pipelineId' | 'type' | 'name' | 'stage' | 'stageIdx' | 'spec' | 'createdAt' | 'artifactsExpireAt' | 'lockVersion'>>;

const COLUMNS: Record<string, keyof JobsTable> = {
  status: 'status', when: 'when', allowFailure: 'allow_failure', schedulingType: 'scheduling_type', ref: 'ref', tag: 'tag',
  protected: 'protected', tagList: 'tag_list', jobVariables: 'job_variables', resourceGroup: 'resource_group',
  interruptible: 'interruptible', userId: 'user_id', runnerId: 'runner_id', runnerManagerId: 'runner_manager_id',
  tokenDigest: 'token_digest', failureReason: 'failure_reason', exitCode: 'exit_code', coverage: 'coverage', retried: 'retried',
  retryCount: 'retry_count', downstreamPipelineId: 'downstream_pipeline_id', scheduledAt: 'scheduled_at', queuedAt: 'queued_at',
  startedAt: 'started_at', finishedAt: 'finished_at', erasedAt: 'erased_at', erasedById: 'erased_by_id', debugTrace: 'debug_trace', updatedAt: 'updated_at',
};

/** Every update of a job row sets this, so that kept renderings see the change (PostgreSQL's trigger need not). */
export const NEXT_LOCK_VERSION = sql<number>`lock_version + 1`;

/** The SET of an update: the changed columns, and the row's lock_version moved. */
function columnChanges(changes: JobChanges): Record<string, unknown> {
  return { lock_version: NEXT_LOCK_VERSION, ...changedColumns(changes) };
}

/** The changed columns' values by column name. */
function changedColumns(changes: JobChanges): Record<string, unknown> {
  const set: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(changes)) if (value !== undefined && COLUMNS[key]) set[COLUMNS[key]] = toColumn(value);
  return set;
}

type RowUpdate = (...values: unknown[]) => Promise<{ numAffectedRows?: bigint }>;

/** Turns domain values into column values: booleans as 0/1, lists as JSON. */
function toColumn(value: unknown): unknown {
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (Array.isArray(value)) return JSON.stringify(value);
  return value;
}

/** JobKeys from a row that may lack the columns `filter` fixes (see listKeys). */
function toJobKeys(row: KeyRow, filter: JobFilter): JobKeys {
  return {
    id: row.id,
    lockVersion: row.lock_version,
    projectId: row.project_id ?? filter.projectId,
    pipelineId: row.pipeline_id,
    type: row.type ?? filter.type,
    userId: row.user_id,
    runnerId: row.runner_id,
    runnerManagerId: row.runner_manager_id,
    downstreamPipelineId: row.downstream_pipeline_id ?? null,
  };
}

/** A list's job (see toJob: the same conversions, kept apart so each builds its object as one literal). */
function toShownJob(row: Pick<Selectable<JobsTable>, (typeof SHOWN_COLUMNS)[number]>): ShownJob {
  return {
    id: row.id,
    projectId: row.project_id,
    pipelineId: row.pipeline_id,
    type: row.type,
    name: row.name,
    stage: row.stage,
    status: row.status,
    ref: row.ref,
    tag: row.tag === 1,
    coverage: row.coverage,
    allowFailure: row.allow_failure === 1,
    tagList: JSON.parse(row.tag_list) as string[],
    userId: row.user_id,
    runnerId: row.runner_id,
    runnerManagerId: row.runner_manager_id,
    failureReason: row.failure_reason,
    downstreamPipelineId: row.downstream_pipeline_id,
    queuedAt: row.queued_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    erasedAt: row.erased_at,
    artifactsExpireAt: row.artifacts_expire_at,
    lockVersion: row.lock_version,
    createdAt: row.created_at,
  };
}

/**
 * `spec` (the compiled job, ~1 KB of JSON per row) is parsed on first read: lists and the Job entity never
 * read it, and parsing it for every row of a 100-job page was a tenth of the request. Spreads and
 * JSON.stringify read the getter, so copies carry the parsed value as a plain property. One literal, not
 * `{ ...toShownJob(row), ... }`: with the accessor after a spread V8 built a slow (dictionary-mode) object,
 * and one job's GET went from 165 to 280 µs of CPU.
 */
export function toJob(row: Selectable<JobsTable>): Job {
  const options = row.options;
  let spec: JobSpec | undefined;
  return {
    id: row.id,
    projectId: row.project_id,
    pipelineId: row.pipeline_id,
    type: row.type,
    name: row.name,
    stage: row.stage,
    stageIdx: row.stage_idx,
    status: row.status,
    when: row.when,
    allowFailure: row.allow_failure === 1,
    schedulingType: row.scheduling_type,
    ref: row.ref,
    tag: row.tag === 1,
    protected: row.protected === 1,
    get spec(): JobSpec {
      return (spec ??= JSON.parse(options) as JobSpec);
    },
    set spec(value: JobSpec) {
      spec = value;
    },
    tagList: JSON.parse(row.tag_list) as string[],
    jobVariables: JSON.parse(row.job_variables) as JobVariable[],
    resourceGroup: row.resource_group,
    interruptible: row.interruptible === null ? null : row.interruptible === 1,
    userId: row.user_id,
    runnerId: row.runner_id,
    runnerManagerId: row.runner_manager_id,
    tokenDigest: row.token_digest,
    failureReason: row.failure_reason,
    exitCode: row.exit_code,
    coverage: row.coverage,
    retried: row.retried === 1,
    retryCount: row.retry_count,
    downstreamPipelineId: row.downstream_pipeline_id,
    scheduledAt: row.scheduled_at,
    queuedAt: row.queued_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    erasedAt: row.erased_at,
    erasedById: row.erased_by_id,
    artifactsExpireAt: row.artifacts_expire_at,
    debugTrace: row.debug_trace === 1,
    lockVersion: row.lock_version,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function toRow(job: NewJob) {
  return {
    project_id: job.projectId,
    pipeline_id: job.pipelineId,
    type: job.type,
    name: job.name,
    stage: job.stage,
    stage_idx: job.stageIdx,
    status: job.status,
    when: job.when,
    allow_failure: job.allowFailure ? 1 : 0,
    scheduling_type: job.schedulingType,
    ref: job.ref,
    tag: job.tag ? 1 : 0,
    protected: job.protected ? 1 : 0,
    options: JSON.stringify(job.spec),
    tag_list: JSON.stringify(job.tagList),
    job_variables: JSON.stringify(job.jobVariables),
    resource_group: job.resourceGroup,
    interruptible: job.interruptible === null ? null : job.interruptible ? 1 : 0,
    user_id: job.userId,
    runner_id: job.runnerId,
    runner_manager_id: job.runnerManagerId,
    token_digest: job.tokenDigest,
    failure_reason: job.failureReason,
    exit_code: job.exitCode,
    coverage: job.coverage,
    retried: job.retried ? 1 : 0,
    retry_count: job.retryCount,
    downstream_pipeline_id: job.downstreamPipelineId,
    scheduled_at: job.scheduledAt,
    queued_at: job.queuedAt,
    started_at: job.startedAt,
    finished_at: job.finishedAt,
    erased_at: job.erasedAt,
    erased_by_id: job.erasedById,
    debug_trace: job.debugTrace ? 1 : 0,
    created_at: job.createdAt,
    updated_at: job.updatedAt,
  };
}

export interface JobFilter {
  /** Jobs of one project; without it, `runnerId` must narrow the list (a runner's jobs across projects). */
  projectId?: number;
  /** Only jobs of these projects (a caller's readable projects, for lists that span projects). */
  projectIds?: number[];
  /** Jobs this runner ran (GitLab's `runner.builds`). */
  runnerId?: number;
  /** Jobs this runner manager ran; null matches nothing (an unknown `system_id`). */
  runnerManagerId?: number | null;
  pipelineId?: number;
  statuses?: string[];
  type?: 'build' | 'bridge';
  includeRetried?: boolean;
  name?: string;
  ref?: string;
  createdAfter?: string;
  createdBefore?: string;
  updatedAfter?: string;
  updatedBefore?: string;
}

interface TimeRange {
  column: 'created_at' | 'updated_at';
  after?: string;
  before?: string;
}

/** Up to this many jobs in a time range, the list starts from the range's ids (see mostSelectiveRange). */
const RANGE_PROBE_LIMIT = 10_000;

export class JobsRepository {
  private readonly rowById = compiledLookup(() => this.db, (db, id: number) => db.selectFrom('jobs').selectAll().where('id', '=', id));
  private readonly keysById = compiledLookup(() => this.db, (db, id: number) => db.selectFrom('jobs').select(KEY_COLUMNS).where('id', '=', id));
  readonly #rowUpdates = new Map<string, RowUpdate>();
  private readonly rowByTokenDigest = compiledLookup(() => this.db, (db, digest: string) => db.selectFrom('jobs').selectAll().where('token_digest', '=', digest));

  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: Dialect,
  ) {}

  async insert(job: NewJob): Promise<Job> {
    const row = await this.db.insertInto('jobs').values(toRow(job)).returningAll().executeTakeFirstOrThrow();
    return toJob(row);
  }

  /** Many jobs in one statement (a 300-job pipeline is one round trip, not 300). */
  async insertMany(jobs: NewJob[]): Promise<Job[]> {
    if (jobs.length === 0) return [];
    const out: Job[] = [];
    // SQLite caps bound parameters per statement; 35 columns × 25 rows stays well below it.
    for (let i = 0; i < jobs.length; i += 25) {
      const rows = await this.db.insertInto('jobs').values(jobs.slice(i, i + 25).map(toRow)).returningAll().execute();
      out.push(...rows.map(toJob));
    }
    return out.sort((a, b) => a.id - b.id);
  }

  async findById(id: number): Promise<Job | undefined> {
    const row = await this.rowById(id);
    return row && toJob(row);
  }

  /** The job's keys (see JobKeys), for a caller that may have a rendering of it kept. */
  async findKeysById(id: number): Promise<JobKeys | undefined> {
    const row = await this.keysById(id);
    return row && toJobKeys(row, {});
  }

  async findByTokenDigest(digest: string): Promise<Job | undefined> {
    const row = await this.rowByTokenDigest(digest);
    return row && toJob(row);
  }

  async findByIds(ids: number[]): Promise<Map<number, Job>> {
    if (ids.length === 0) return new Map();
    const rows = await this.db.selectFrom('jobs').selectAll().where('id', 'in', [...new Set(ids)]).execute();
    return new Map(rows.map((r) => [r.id, toJob(r)]));
  }

  /** The pipeline's jobs in creation order; retried ones only when asked. */
  async listByPipeline(pipelineId: number, options: { includeRetried?: boolean } = {}): Promise<Job[]> {
    let q = this.db.selectFrom('jobs').selectAll().where('pipeline_id', '=', pipelineId);
    if (!options.includeRetried) q = q.where('retried', '=', 0);
    const rows = await q.orderBy('id', 'asc').execute();
    return rows.map(toJob);
  }

  async list(filter: JobFilter, page: PageRequest): Promise<Page<Job>> {
    const result = await fetchPage(this.db, (await this.filtered(filter)).selectAll(), page, 'id', 'desc');
    return { ...result, rows: result.rows.map(toJob) };
  }

  /** The same list, each job with only what a list shows of it. */
  async listShown(filter: JobFilter, page: PageRequest): Promise<Page<ShownJob>> {
    const result = await fetchPage(this.db, (await this.filtered(filter)).select(SHOWN_COLUMNS), page, 'id', 'desc');
    return { ...result, rows: result.rows.map(toShownJob) };
  }

  /** The same list, each job with only its keys (see JobKeys); `findShownByIds` reads the rest of those it needs. */
  async listKeys(filter: JobFilter, page: PageRequest): Promise<Page<JobKeys>> {
    const fixed = new Set<string>();
    if (filter.projectId !== undefined) fixed.add('project_id');
    if (filter.type !== undefined) fixed.add('type');
    // Only bridges start downstream pipelines.
    if (filter.type === 'build') fixed.add('downstream_pipeline_id');
    const columns = KEY_COLUMNS.filter((c) => !fixed.has(c));
    const query = (await this.filtered(filter)).select(columns as unknown as typeof KEY_COLUMNS);
    const result = await fetchPage(this.db, query, page, 'id', 'desc', (q, direction) => rowsOrderedById(this.db, this.dialect, q, columns, direction));
    return { ...result, rows: result.rows.map((row) => toJobKeys(row, filter)) };
  }

  async findShownByIds(ids: number[]): Promise<Map<number, ShownJob>> {
    if (ids.length === 0) return new Map();
    const rows = await this.db.selectFrom('jobs').select(SHOWN_COLUMNS).where('id', 'in', ids).execute();
    return new Map(rows.map((r) => [r.id, toShownJob(r)]));
  }

  private async filtered(filter: JobFilter) {
    let q = this.db.selectFrom('jobs');
    if (filter.projectId !== undefined) q = q.where('project_id', '=', filter.projectId);
    if (filter.projectIds !== undefined) q = q.where('project_id', 'in', filter.projectIds.length > 0 ? filter.projectIds : [-1]);
    if (filter.runnerId !== undefined) q = q.where('runner_id', '=', filter.runnerId);
    if (filter.runnerManagerId !== undefined) q = q.where('runner_manager_id', '=', filter.runnerManagerId ?? -1);
    if (filter.pipelineId !== undefined) q = q.where('pipeline_id', '=', filter.pipelineId);
    if (filter.statuses && filter.statuses.length > 0) q = q.where('status', 'in', filter.statuses);
    if (filter.type) q = q.where('type', '=', filter.type);
    if (!filter.includeRetried) q = q.where('retried', '=', 0);
    if (filter.name !== undefined) q = q.where('name', '=', filter.name);
    if (filter.ref !== undefined) q = q.where('ref', '=', filter.ref);
    const ranges: TimeRange[] = [];
    if (filter.createdAfter !== undefined || filter.createdBefore !== undefined) {
      ranges.push({ column: 'created_at', after: filter.createdAfter, before: filter.createdBefore });
    }
    if (filter.updatedAfter !== undefined || filter.updatedBefore !== undefined) {
      ranges.push({ column: 'updated_at', after: filter.updatedAfter, before: filter.updatedBefore });
    }
    if (ranges.length > 0) {
      const projectId = filter.projectId;
      const selective = projectId === undefined ? undefined : await this.mostSelectiveRange(projectId, ranges);
      for (const range of ranges) {
        if (range === selective && projectId !== undefined) {
          q = q.where('id', 'in', this.idsInRange(projectId, range));
        } else {
          // Kept out of the planner's reach: an index on this column would mean sorting every match by id.
          const value = sql<string>`(${sql.ref(range.column)} || '')`;
          if (range.after !== undefined) q = q.where(value, '>', range.after);
          if (range.before !== undefined) q = q.where(value, '<', range.before);
        }
      }
    }
    return q;
  }

  /** Ids of the project's jobs inside a time range, from the (project_id, <column>, id) index alone. */
  private idsInRange(projectId: number, range: TimeRange) {
    let q = this.db.selectFrom('jobs').select('id').where('project_id', '=', projectId);
    if (range.after !== undefined) q = q.where(range.column, '>', range.after);
    if (range.before !== undefined) q = q.where(range.column, '<', range.before);
    return q;
  }

  /**
   * Lists are ordered by id, so a time filter can be served two ways: walk the id index and test each row
   * (fast when many rows match), or take the few matching ids from the time index and sort them (fast when
   * few match). Neither planner can tell which without fresh statistics, and the wrong choice costs
   * seconds on a million jobs, so ask the index: count up to RANGE_PROBE_LIMIT matches per range (an
   * index-only scan) and return the range that narrows the most, if any stays under the limit.
   */
  private async mostSelectiveRange(projectId: number, ranges: TimeRange[]): Promise<TimeRange | undefined> {
    let best: TimeRange | undefined;
    let fewest = RANGE_PROBE_LIMIT;
    for (const range of ranges) {
      const probe = await this.db
        .selectFrom(this.idsInRange(projectId, range).limit(RANGE_PROBE_LIMIT).as('probe'))
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirst();
      const n = Number(probe?.n ?? 0);
      if (n < fewest) {
        fewest = n;
        best = range;
      }
    }
    return best;
  }

  /**
   * Applies changes only if the job is still in `expectedStatus`: the conditional update that lets exactly
   * one of several concurrent callers (two runners, a runner and a cancel) win a transition.
   */
  async updateIfStatus(id: number, expectedStatus: string, changes: JobChanges): Promise<boolean> {
    const result = await this.#updateRow(id, expectedStatus, changedColumns(changes));
    return Number(result.numAffectedRows) === 1;
  }

  /**
   * One row's update by id (and status, when given), compiled once per set of changed columns: a runner
   * taking a job makes one, and Kysely building and compiling it anew cost as much as SQLite running it.
   */
  #updateRow(id: number, expectedStatus: string | null, set: Record<string, unknown>) {
    const columns = Object.keys(set);
    const key = `${expectedStatus === null ? '' : 'status:'}${columns.join(',')}`;
    let run = this.#rowUpdates.get(key);
    if (!run) {
      run = compiledStatement(() => this.db, (db, ...values: unknown[]) => {
        const assigned = Object.fromEntries(columns.map((column, i) => [column, values[i]]));
        const query = db.updateTable('jobs').set({ lock_version: NEXT_LOCK_VERSION, ...assigned }).where('id', '=', values[columns.length] as number);
        return expectedStatus === null ? query : query.where('status', '=', values[columns.length + 1] as string);
      });
      this.#rowUpdates.set(key, run);
    }
    return run(...columns.map((column) => set[column]), id, ...(expectedStatus === null ? [] : [expectedStatus]));
  }

  /** The batch form of updateIfStatus: returns the ids it changed (those still in `expectedStatus`). */
  async updateManyIfStatus(ids: number[], expectedStatus: string, changes: JobChanges): Promise<number[]> {
    const set = columnChanges(changes);
    const updated: number[] = [];
    for (let i = 0; i < ids.length; i += 500) {
      const rows = await this.db
        .updateTable('jobs')
        .set(set)
        .where('id', 'in', ids.slice(i, i + 500))
        .where('status', '=', expectedStatus)
        .returning('id')
        .execute();
      updated.push(...rows.map((r) => r.id));
    }
    return updated;
  }

  async update(id: number, changes: JobChanges): Promise<void> {
    const set = changedColumns(changes);
    if (Object.keys(set).length > 0) await this.#updateRow(id, null, set);
  }

  /** Jobs of the project holding a resource group now (pending, running or canceling). */
  async countHoldingResource(projectId: number, resourceGroup: string): Promise<number> {
    const row = await this.db
      .selectFrom('jobs')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('project_id', '=', projectId)
      .where('resource_group', '=', resourceGroup)
      .where('status', 'in', ['pending', 'running', 'canceling'])
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /** The oldest job waiting for a resource group, to hand the resource to next. */
  async nextWaitingForResource(projectId: number, resourceGroup: string): Promise<Job | undefined> {
    const row = await this.db
      .selectFrom('jobs')
      .selectAll()
      .where('project_id', '=', projectId)
      .where('resource_group', '=', resourceGroup)
      .where('status', '=', 'waiting_for_resource')
      .orderBy('id', 'asc')
      .limit(1)
      .executeTakeFirst();
    return row && toJob(row);
  }

  /** Scheduled jobs whose time has come. */
  async listDueScheduled(now: string, limit = 100): Promise<Job[]> {
    const rows = await this.db
      .selectFrom('jobs')
      .selectAll()
      .where('status', '=', 'scheduled')
      .where('scheduled_at', '<=', now)
      .orderBy('id', 'asc')
      .limit(limit)
      .execute();
    return rows.map(toJob);
  }
}
