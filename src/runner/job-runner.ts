import type { ApiClient } from './api-client.js';
import { buildDirs, shortToken } from './build-dirs.js';
import { reportedFailureReason } from './failure-reasons.js';
import { JobControl } from './job-control.js';
import { closingLine, runStages, type JobOutcome } from './job-stages.js';
import type { JobPayload } from './job-payload.js';
import { errorMessage } from './logger.js';
import { DEFAULT_TOKEN_PREFIXES, Masker } from './masker.js';
import type { ResolvedOptions } from './options.js';
import { goArch, RUNNER_REVISION, RUNNER_VERSION } from './runner-info.js';
import { TraceLog } from './trace-log.js';
import { TraceSender, verdictOf } from './trace-sender.js';
import { runnerVariables, VariableSet } from './variables.js';

export interface JobRunnerContext {
  api: ApiClient;
  options: ResolvedOptions;
  /** The concurrency slot (CI_CONCURRENT_ID); each has its own build directories. */
  slot: number;
  /** Fires when the runner stops without waiting: the job is interrupted. */
  interrupt: AbortSignal;
}

const DEFAULT_TIMEOUT_SECONDS = 3600;

type Acknowledgement = 'run' | 'drop' | 'canceled';

/** The first PUT state=running: 403/404 or canceled/failed mean the job is not ours to run any more. */
async function acknowledge(ctx: JobRunnerContext, job: JobPayload): Promise<Acknowledgement> {
  try {
    const response = await ctx.api.request('PUT', `jobs/${job.id}`, { json: { token: job.token, state: 'running', output: {} }, jobToken: job.token });
    if (response.status === 403 || response.status === 404) return 'drop';
    const verdict = verdictOf(response);
    if (verdict === 'abort') return 'drop';
    if (verdict === 'canceling') return 'canceled';
  } catch (error) {
    // The job is already ours on the server; running it is better than leaving it to time out.
    ctx.options.logger.warn({ job: job.id, err: errorMessage(error) }, 'could not confirm the job; running it anyway');
  }
  return 'run';
}

/** Runs one job from acceptance to the final state update. Never throws. */
export async function runJob(ctx: JobRunnerContext, job: JobPayload): Promise<JobOutcome | undefined> {
  const { options } = ctx;
  const log = options.logger;
  const ack = await acknowledge(ctx, job);
  if (ack === 'drop') {
    log.warn({ job: job.id }, 'job is no longer running on the server; dropped');
    return undefined;
  }
  const dirs = buildDirs(options.buildsDir, options.token, ctx.slot, job);
  const timeout = job.runner_info?.timeout && job.runner_info.timeout > 0 ? job.runner_info.timeout : DEFAULT_TIMEOUT_SECONDS;
  const short = shortToken(options.token);
  const base = new VariableSet(
    [
      ...runnerVariables({ ...dirs, slot: ctx.slot, timeoutSeconds: timeout, shortToken: short, version: RUNNER_VERSION, revision: RUNNER_REVISION, arch: `${process.platform}/${goArch()}` }),
      ...(job.variables ?? []),
    ],
    dirs.tmpDir,
  );
  const vars = base.expanded();
  const masker = new Masker([...base.maskedValues(), ...vars.maskedValues(), job.token], [...(job.features?.token_mask_prefixes ?? []), ...DEFAULT_TOKEN_PREFIXES]);
  const trace = new TraceLog(masker, options.outputLimit);
  const control = new JobControl();
  const sender = new TraceSender(ctx.api, job, trace, {
    interval: options.traceUpdateInterval,
    cancelCheckInterval: options.cancelCheckInterval,
    logger: log,
    onVerdict: (verdict) => {
      log.info({ job: job.id, verdict }, verdict === 'canceling' ? 'job is being canceled' : 'job was stopped by the server');
      if (verdict === 'canceling') control.cancelGracefully();
      else control.abort('aborted');
    },
  });
  log.info({ job: job.id, slot: ctx.slot, dir: dirs.projectDir }, 'running job');
  if (ack === 'canceled') control.cancelGracefully();
  const onInterrupt = () => control.abort('interrupted');
  if (ctx.interrupt.aborted) onInterrupt();
  else ctx.interrupt.addEventListener('abort', onInterrupt, { once: true });
  const timer = setTimeout(() => control.abort('timeout'), timeout * 1000);
  sender.start();

  let outcome: JobOutcome;
  try {
    outcome = await runStages({ api: ctx.api, job, dirs, vars, control, shell: options.shell, shortToken: short, systemId: options.systemId, timeoutSeconds: timeout, write: (t) => trace.write(t) });
  } catch (error) {
    log.error({ job: job.id, err: errorMessage(error) }, 'job failed in the runner');
    outcome = { state: 'failed', reason: 'runner_system_failure', message: errorMessage(error) };
  } finally {
    clearTimeout(timer);
    ctx.interrupt.removeEventListener('abort', onInterrupt);
  }
  trace.write(closingLine(outcome), true);
  trace.finish();
  const failureReason = outcome.state === 'failed' ? reportedFailureReason(outcome.reason ?? 'unknown_failure', job.features?.failure_reasons) : undefined;
  await sender.finish({ state: outcome.state, failureReason, exitCode: outcome.exitCode });
  log.info({ job: job.id, state: outcome.state, failureReason }, 'job finished');
  return outcome;
}
