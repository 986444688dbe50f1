import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { ApiClient } from './api-client.js';
import { dependenciesWithArtifacts, downloadArtifacts } from './artifacts-downloader.js';
import { uploadArtifacts, type ArtifactsContext } from './artifacts-uploader.js';
import type { BuildDirs } from './build-dirs.js';
import { formatGoDuration, parseGoDuration } from './durations.js';
import { getSources, type StepResult } from './git-sources.js';
import type { JobControl } from './job-control.js';
import { hookScript, stepNamed, type JobPayload } from './job-payload.js';
import { RUNNER_NAME, RUNNER_REVISION, RUNNER_VERSION } from './runner-info.js';
import { runScriptStep } from './script-step.js';
import { errorLine, notice, plain, sectionEnd, sectionStart, warning } from './sections.js';
import type { VariableSet } from './variables.js';

export interface StagesContext {
  api: ApiClient;
  job: JobPayload;
  dirs: BuildDirs;
  vars: VariableSet;
  control: JobControl;
  shell: string;
  shortToken: string;
  systemId: string;
  timeoutSeconds: number;
  write: (text: string) => void;
}

/** How the job ended, before it is mapped onto what the server accepts. */
export interface JobOutcome {
  state: 'success' | 'failed';
  /** Internal reason (gitlab-runner's words, `job_canceled` included). */
  reason?: string;
  exitCode?: number;
  /** The closing line's text after "ERROR: Job failed". */
  message?: string;
}

const DEFAULT_AFTER_SCRIPT_TIMEOUT = 5 * 60_000;

function durationVar(vars: VariableSet, key: string): number | undefined {
  const text = vars.get(key);
  if (!text) return undefined;
  const ms = parseGoDuration(text);
  return ms !== undefined && ms > 0 ? ms : undefined;
}

/** gitlab-runner's stages for the shell executor, in order, each in its own log section. */
export async function runStages(ctx: StagesContext): Promise<JobOutcome> {
  const { write, control, dirs } = ctx;
  const section = async <T>(name: string, header: string, body: () => Promise<T>): Promise<T> => {
    write(sectionStart(name, header));
    try {
      return await body();
    } finally {
      write(sectionEnd(name));
    }
  };
  const env = ctx.vars.environment();
  const artifacts: ArtifactsContext = { api: ctx.api, job: ctx.job, projectDir: dirs.projectDir, vars: ctx.vars, write, signal: control.scriptSignal };

  write(`Running with ${RUNNER_NAME} ${RUNNER_VERSION} (${RUNNER_REVISION})\n  on ${os.hostname()} ${ctx.shortToken}, system ID: ${ctx.systemId}\n`);
  await section('prepare_executor', 'Preparing the "shell" executor', async () => write(plain(`Using Shell (${ctx.shell}) executor...`)));
  await section('prepare_script', 'Preparing environment', async () => {
    write(plain(`Running on ${os.hostname()}...`));
    await ctx.vars.writeFiles();
  });

  let outcome: JobOutcome = { state: 'success' };
  const failWith = (result: Extract<StepResult, { ok: false }>): JobOutcome => ({
    state: 'failed',
    reason: result.system ? 'runner_system_failure' : 'script_failure',
    exitCode: result.system ? undefined : result.exitCode,
    message: result.system ? result.message : `exit code ${result.exitCode}`,
  });

  const stepContext = (cwd: string, stepEnv = env) => ({ shell: ctx.shell, projectDir: cwd, tmpDir: dirs.tmpDir, env: stepEnv, write });
  const hook = async (name: string, cwd: string): Promise<StepResult> => {
    const script = hookScript(ctx.job, name);
    if (script.length === 0) return { ok: true };
    await fs.mkdir(cwd, { recursive: true });
    const result = await runScriptStep(name, script, stepContext(cwd), control.scriptSignal);
    if (result.error) return { ok: false, exitCode: 1, message: result.error.message, system: true };
    return result.exitCode === 0 ? { ok: true } : { ok: false, exitCode: result.exitCode ?? 1, message: `exit code ${result.exitCode ?? 1}` };
  };
  const sources = await section('get_sources', 'Getting source from Git repository', async () => {
    // hooks:pre_get_sources_script runs before the checkout exists, so beside it; post runs inside it.
    const pre = await hook('pre_get_sources_script', path.dirname(dirs.projectDir));
    if (!pre.ok) return pre;
    const fetched = await getSources({ job: ctx.job, vars: ctx.vars, dirs, env, write, signal: control.scriptSignal });
    return fetched.ok ? hook('post_get_sources_script', dirs.projectDir) : fetched;
  });
  if (!sources.ok) outcome = failWith(sources);

  if (outcome.state === 'success' && !control.reason && dependenciesWithArtifacts(ctx.job.dependencies).length > 0) {
    const downloaded = await section('download_artifacts', 'Downloading artifacts', () => downloadArtifacts({ ...artifacts, tmpDir: dirs.tmpDir }));
    if (!downloaded.ok) outcome = failWith(downloaded);
  }

  let scriptTimedOut = false;
  const script = stepNamed(ctx.job, 'script');
  if (outcome.state === 'success' && !control.reason && script) {
    const limit = durationVar(ctx.vars, 'RUNNER_SCRIPT_TIMEOUT');
    const signals = [control.scriptSignal];
    if (limit !== undefined && limit < ctx.timeoutSeconds * 1000) signals.push(AbortSignal.timeout(limit));
    const result = await section('step_script', 'Executing "step_script" stage of the job script', () =>
      runScriptStep('step_script', script.script ?? [], stepContext(dirs.projectDir), AbortSignal.any(signals), {
        trace: ctx.vars.bool('CI_DEBUG_TRACE', false),
      }),
    );
    if (result.error) outcome = { state: 'failed', reason: 'runner_system_failure', message: `${ctx.shell} could not be started: ${result.error.message}` };
    else if (result.interrupted && !control.reason) {
      scriptTimedOut = true;
      outcome = { state: 'failed', reason: 'job_execution_timeout', message: `execution took longer than ${formatGoDuration(limit! / 1000)} seconds` };
    } else if (result.exitCode !== 0) outcome = { state: 'failed', reason: 'script_failure', exitCode: result.exitCode ?? 1, message: `exit code ${result.exitCode ?? 1}` };
  }

  const hardStop = control.reason !== undefined && control.reason !== 'canceled';
  const after = stepNamed(ctx.job, 'after_script');
  if (!hardStop && after && (after.script ?? []).length > 0 && (sources.ok || scriptTimedOut)) {
    const status = control.reason === 'canceled' ? 'canceled' : outcome.state;
    const afterEnv = ctx.vars.with([{ key: 'CI_JOB_STATUS', value: status }]).environment();
    const limit = durationVar(ctx.vars, 'RUNNER_AFTER_SCRIPT_TIMEOUT') ?? DEFAULT_AFTER_SCRIPT_TIMEOUT;
    const result = await section('after_script', 'Running after_script', () =>
      runScriptStep('after_script', after.script ?? [], stepContext(dirs.projectDir, afterEnv), AbortSignal.any([control.hardSignal, AbortSignal.timeout(limit)]), {
        notices: ['Running after script...'],
        trace: ctx.vars.bool('CI_DEBUG_TRACE', false),
      }),
    );
    if (result.interrupted && !control.hardSignal.aborted) write(warning(`after_script failed, but job will continue unaffected: execution took longer than ${formatGoDuration(limit / 1000)} seconds`));
    else if (result.exitCode !== 0 && !result.interrupted) write(warning(`after_script failed, but job will continue unaffected: exit code ${result.exitCode ?? 1}`));
  }

  if (!control.reason) {
    const onSuccess = outcome.state === 'success';
    const uploaded = await section(
      onSuccess ? 'upload_artifacts_on_success' : 'upload_artifacts_on_failure',
      onSuccess ? 'Uploading artifacts for successful job' : 'Uploading artifacts for failed job',
      () => uploadArtifacts({ ...artifacts, signal: control.hardSignal }, outcome.state),
    );
    if (!uploaded.ok && onSuccess) outcome = failWith(uploaded);
  }

  await section('cleanup_file_variables', 'Cleaning up project directory and file based variables', () =>
    fs.rm(dirs.tmpDir, { recursive: true, force: true }),
  );
  return interruptedOutcome(ctx, outcome);
}

function interruptedOutcome(ctx: StagesContext, outcome: JobOutcome): JobOutcome {
  switch (ctx.control.reason) {
    case 'canceled':
    case 'aborted':
      return { state: 'failed', reason: 'job_canceled', message: 'canceled' };
    case 'timeout':
      return { state: 'failed', reason: 'job_execution_timeout', message: `execution took longer than ${formatGoDuration(ctx.timeoutSeconds)} seconds` };
    case 'interrupted':
      return { state: 'failed', reason: 'runner_system_failure', message: 'aborted: the runner is shutting down' };
    default:
      return outcome;
  }
}

export function closingLine(outcome: JobOutcome): string {
  if (outcome.state === 'success') return notice('Job succeeded');
  const system = outcome.reason === 'runner_system_failure';
  return errorLine(`Job failed${system ? ' (system failure)' : ''}: ${outcome.message ?? 'unknown failure'}`);
}
