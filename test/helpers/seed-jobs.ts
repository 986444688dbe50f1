import crypto from 'node:crypto';
import type { Insertable, Kysely } from 'kysely';
import type { Database, JobsTable } from '../../src/store/schema.js';

export interface SeedOptions {
  projectId: number;
  userId: number;
  /** Jobs in all; pipelines of `jobsPerPipeline` (the last one may be shorter). */
  jobs: number;
  jobsPerPipeline?: number;
  ref?: string;
  /** Time of the first pipeline; each later pipeline is a minute later. */
  start?: Date;
  /** Every job in this status (default: a mix, mostly success); pipelines then say `success` regardless. */
  status?: string;
  /** Called after each committed batch with the jobs written so far. */
  progress?: (written: number) => void;
}

export interface SeedResult {
  firstJobId: number;
  lastJobId: number;
  firstPipelineId: number;
  lastPipelineId: number;
}

/** A job spec of the size the compiler writes for a small real job (options column, ~900 bytes). */
function options(name: string, stage: string, stageIdx: number): string {
  return JSON.stringify({
    name, index: 0, kind: 'build', stage, script: ['npm ci', `npm run ${name}`], before_script: [], after_script: [],
    image: { name: 'node:20' }, services: [], tags: ['linux', 'docker'], variables: [{ key: 'GLOBAL', value: 'x', expand: true }],
    when: 'on_success', start_in: null, allow_failure: false, allow_failure_exit_codes: null, needs: null, dependencies: null,
    artifacts: { paths: ['dist/'] }, cache: [], retry: null, timeout: null, resource_group: null, interruptible: null, environment: null,
    coverage: null, trigger: null, id_tokens: null, hooks: null, base_name: name, stage_idx: stageIdx, parallel: null,
  });
}

const STATUSES = ['success', 'success', 'success', 'success', 'success', 'success', 'failed', 'canceled', 'skipped', 'manual'];
const STAGES = ['build', 'test', 'deploy'];
/** Rows per INSERT: 36 job columns × 500 stays below SQLite's 32,766 bound parameters. */
const ROWS_PER_STATEMENT = 500;
/** Pipelines per transaction: bounds the SQLite WAL and the PostgreSQL transaction. */
const PIPELINES_PER_TRANSACTION = 100;

/**
 * Writes `jobs` finished builds into the project, in pipelines with a commit each, straight through Kysely
 * (multi-row INSERTs inside transactions) rather than the pipeline engine: a million jobs in minutes.
 */
export async function seedJobs(db: Kysely<Database>, o: SeedOptions): Promise<SeedResult> {
  const perPipeline = o.jobsPerPipeline ?? 100;
  const ref = o.ref ?? 'main';
  const start = (o.start ?? new Date('2024-01-01T00:00:00.000Z')).getTime();
  const maxIid = await db.selectFrom('pipelines').select((eb) => eb.fn.max('iid').as('iid')).where('project_id', '=', o.projectId).executeTakeFirst();
  let iid = Number(maxIid?.iid ?? 0);
  const pipelineCount = Math.ceil(o.jobs / perPipeline);
  const result: SeedResult = { firstJobId: 0, lastJobId: 0, firstPipelineId: 0, lastPipelineId: 0 };
  let written = 0;
  for (let batch = 0; batch < pipelineCount; batch += PIPELINES_PER_TRANSACTION) {
    await db.transaction().execute(async (trx) => {
      const count = Math.min(PIPELINES_PER_TRANSACTION, pipelineCount - batch);
      const commits = [];
      const pipelines = [];
      for (let p = 0; p < count; p++) {
        const index = batch + p;
        const at = new Date(start + index * 60_000).toISOString();
        const sha = crypto.createHash('sha1').update(`seed-${o.projectId}-${index}`).digest('hex');
        commits.push({
          project_id: o.projectId, sha, parent_ids: '[]', title: `Commit ${index}`, message: `Commit ${index}\n`,
          author_name: 'Seed', author_email: 'seed@conveyor.test', authored_date: at, committer_name: 'Seed',
          committer_email: 'seed@conveyor.test', committed_date: at,
        });
        pipelines.push({
          project_id: o.projectId, iid: ++iid, ref, tag: 0, sha, before_sha: '0'.repeat(40), source: 'push',
          status: 'success', name: null, user_id: o.userId, yaml_errors: null, failure_reason: null, variables: '[]',
          yaml_variables: '[]', protected_ref: 0, source_job_id: null, parent_pipeline_id: null, auto_canceled_by_id: null,
          coverage: null, created_at: at, updated_at: at, started_at: at, finished_at: at, committed_at: at,
        });
      }
      await trx.insertInto('commits').values(commits).onConflict((oc) => oc.columns(['project_id', 'sha']).doNothing()).execute();
      const ids = (await trx.insertInto('pipelines').values(pipelines).returning('id').execute()).map((r) => r.id).sort((a, b) => a - b);
      if (result.firstPipelineId === 0) result.firstPipelineId = ids[0];
      result.lastPipelineId = ids[ids.length - 1];
      let rows: Array<Insertable<JobsTable>> = [];
      for (let p = 0; p < count; p++) {
        const index = batch + p;
        const jobsHere = Math.min(perPipeline, o.jobs - index * perPipeline);
        for (let j = 0; j < jobsHere; j++) {
          const stageIdx = Math.min(2, Math.floor((j * 3) / perPipeline));
          const name = `${STAGES[stageIdx]} ${j + 1}/${perPipeline}`;
          const created = new Date(start + index * 60_000 + j).toISOString();
          const status = o.status ?? STATUSES[(index + j) % STATUSES.length];
          const finished = status === 'success' || status === 'failed' || status === 'canceled';
          const startedAt = finished ? new Date(start + index * 60_000 + 1000 + j).toISOString() : null;
          const finishedAt = finished ? new Date(start + index * 60_000 + 30_000 + j).toISOString() : null;
          rows.push({
            project_id: o.projectId, pipeline_id: ids[p], type: 'build', name, stage: STAGES[stageIdx], stage_idx: stageIdx,
            status, when: status === 'manual' ? 'manual' : 'on_success', allow_failure: status === 'manual' ? 1 : 0,
            scheduling_type: 'stage', ref, tag: 0, protected: 0, options: options(name, STAGES[stageIdx], stageIdx),
            tag_list: '["docker","linux"]', job_variables: '[]', resource_group: null, interruptible: null, user_id: o.userId,
            runner_id: null, runner_manager_id: null, token_digest: null, failure_reason: status === 'failed' ? 'script_failure' : null,
            exit_code: status === 'failed' ? 1 : null, coverage: null, retried: 0, retry_count: 0, downstream_pipeline_id: null,
            scheduled_at: null, queued_at: finished ? created : null, started_at: startedAt, finished_at: finishedAt, erased_at: null,
            erased_by_id: null, created_at: created, updated_at: finishedAt ?? created,
          });
          if (rows.length === ROWS_PER_STATEMENT) {
            await insertJobs(trx, rows, result);
            rows = [];
          }
        }
      }
      if (rows.length > 0) await insertJobs(trx, rows, result);
    });
    written = Math.min(o.jobs, (batch + PIPELINES_PER_TRANSACTION) * perPipeline);
    o.progress?.(written);
  }
  return result;
}

async function insertJobs(trx: Kysely<Database>, rows: Array<Insertable<JobsTable>>, result: SeedResult) {
  const ids = (await trx.insertInto('jobs').values(rows).returning('id').execute()).map((r) => r.id);
  const low = Math.min(...ids);
  const high = Math.max(...ids);
  if (result.firstJobId === 0 || low < result.firstJobId) result.firstJobId = low;
  if (high > result.lastJobId) result.lastJobId = high;
}
