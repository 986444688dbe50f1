import fs from 'node:fs/promises';
import path from 'node:path';
import type { BuildDirs } from './build-dirs.js';
import type { JobPayload } from './job-payload.js';
import { notice, plain } from './sections.js';
import { runProcess } from './shell-process.js';
import type { VariableSet } from './variables.js';

export interface SourcesContext {
  job: JobPayload;
  vars: VariableSet;
  dirs: BuildDirs;
  env: Record<string, string>;
  write: (text: string) => void;
  signal: AbortSignal;
}

export type StepResult = { ok: true } | { ok: false; exitCode: number; message: string; system?: boolean };

class GitFailure extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
    readonly system = false,
  ) {
    super(message);
  }
}

const STRATEGIES = ['clone', 'fetch', 'none', 'empty'];

export function gitStrategy(job: JobPayload, vars: VariableSet): string {
  const chosen = vars.get('GIT_STRATEGY');
  if (chosen) return chosen;
  return job.allow_git_fetch ? 'fetch' : 'clone';
}

function gitDepth(job: JobPayload, vars: VariableSet): number {
  const fromVar = Number.parseInt(vars.get('GIT_DEPTH'), 10);
  if (vars.get('GIT_DEPTH') !== '' && Number.isFinite(fromVar)) return Math.max(0, fromVar);
  return Math.max(0, job.git_info?.depth ?? 0);
}

function splitFlags(value: string): string[] {
  return value.split(/\s+/).filter((f) => f !== '');
}

/** gitlab-runner's get_sources stage for the shell executor: init, fetch refspecs, checkout, clean. */
export async function getSources(ctx: SourcesContext): Promise<StepResult> {
  const strategy = gitStrategy(ctx.job, ctx.vars);
  if (!STRATEGIES.includes(strategy)) return { ok: false, exitCode: 1, message: `unknown GIT_STRATEGY ${JSON.stringify(strategy)}` };
  const attempts = Math.min(10, Math.max(1, Number.parseInt(ctx.vars.get('GET_SOURCES_ATTEMPTS'), 10) || 1));
  let last: StepResult = { ok: true };
  for (let attempt = 1; attempt <= attempts; attempt++) {
    if (attempt > 1) ctx.write(notice(`Retrying get sources (attempt ${attempt} of ${attempts})...`));
    try {
      await sourcesOnce(ctx, strategy);
      return { ok: true };
    } catch (error) {
      if (!(error instanceof GitFailure)) throw error;
      last = { ok: false, exitCode: error.exitCode, message: error.message, system: error.system };
      if (ctx.signal.aborted) break;
    }
  }
  return last;
}

async function sourcesOnce(ctx: SourcesContext, strategy: string): Promise<void> {
  const { projectDir } = ctx.dirs;
  if (strategy === 'none') {
    ctx.write(notice('Skipping Git repository setup'));
    await fs.mkdir(projectDir, { recursive: true });
    return;
  }
  if (strategy === 'empty') {
    ctx.write(notice('Skipping Git repository setup and creating an empty build directory'));
    await fs.rm(projectDir, { recursive: true, force: true });
    await fs.mkdir(projectDir, { recursive: true });
    return;
  }
  const git = ctx.job.git_info ?? {};
  if (!git.repo_url) throw new GitFailure('the job has no git_info.repo_url (set GIT_STRATEGY=none to run without sources)', 1, true);
  if (!git.sha) throw new GitFailure('the job has no git_info.sha', 1, true);
  if (strategy === 'clone') await fs.rm(projectDir, { recursive: true, force: true });

  const depth = gitDepth(ctx.job, ctx.vars);
  ctx.write(notice(depth > 0 ? `Fetching changes with git depth set to ${depth}...` : 'Fetching changes...'));
  const existed = await exists(path.join(projectDir, '.git'));
  const template = path.join(ctx.dirs.tmpDir, 'git-template');
  await fs.mkdir(template, { recursive: true });
  await fs.mkdir(projectDir, { recursive: true });
  await run(ctx, ['init', projectDir, '--template', template]);
  if (!existed) ctx.write(plain('Created fresh repository.'));
  // Left behind by a job killed in the middle of a git command; they would fail this one.
  for (const lock of ['index.lock', 'shallow.lock', 'HEAD.lock', 'hooks/post-checkout']) {
    await fs.rm(path.join(projectDir, '.git', lock), { force: true });
  }
  await run(ctx, ['config', 'fetch.recurseSubmodules', 'false'], { quiet: true });
  const setUrl = await run(ctx, ['remote', 'set-url', 'origin', git.repo_url], { quiet: true, allowFailure: true });
  if (setUrl !== 0) await run(ctx, ['remote', 'add', 'origin', git.repo_url], { quiet: true });

  const refspecs = git.refspecs && git.refspecs.length > 0 ? git.refspecs : defaultRefspecs(git.ref ?? '', git.ref_type);
  const extra = ctx.vars.has('GIT_FETCH_EXTRA_FLAGS') ? ctx.vars.get('GIT_FETCH_EXTRA_FLAGS') : '--prune --quiet';
  const fetchArgs = ['fetch', 'origin', '--no-recurse-submodules', ...refspecs];
  if (depth > 0) fetchArgs.push('--depth', String(depth));
  if (extra.trim() !== 'none') fetchArgs.push(...splitFlags(extra));
  await run(ctx, fetchArgs);

  if (ctx.vars.bool('GIT_CHECKOUT', true)) {
    ctx.write(notice(`Checking out ${git.sha.slice(0, 8)} as detached HEAD (ref is ${git.ref ?? git.sha})...`));
    await run(ctx, ['-c', 'advice.detachedHead=false', 'checkout', '-f', '-q', git.sha]);
    const clean = ctx.vars.has('GIT_CLEAN_FLAGS') ? ctx.vars.get('GIT_CLEAN_FLAGS') : '-ffdx';
    if (clean.trim() !== 'none') await run(ctx, ['clean', ...splitFlags(clean)]);
  } else {
    ctx.write(notice('Skipping Git checkout'));
  }

  const submodules = ctx.vars.get('GIT_SUBMODULE_STRATEGY') || 'none';
  if (submodules === 'normal' || submodules === 'recursive') {
    const recursive = submodules === 'recursive' ? ['--recursive'] : [];
    ctx.write(notice(`Updating/initializing submodules${recursive.length ? ' recursively' : ''}...`));
    await run(ctx, ['submodule', 'sync', ...recursive]);
    await run(ctx, ['submodule', 'update', '--init', ...recursive]);
  } else {
    ctx.write(notice('Skipping Git submodules setup'));
  }
}

function defaultRefspecs(ref: string, refType: string | undefined): string[] {
  if (!ref) return ['+refs/heads/*:refs/remotes/origin/*', '+refs/tags/*:refs/tags/*'];
  return refType === 'tag' ? [`+refs/tags/${ref}:refs/tags/${ref}`] : [`+refs/heads/${ref}:refs/remotes/origin/${ref}`];
}

async function exists(file: string): Promise<boolean> {
  try {
    await fs.stat(file);
    return true;
  } catch {
    return false;
  }
}

/** Runs git in the project dir; quiet commands show their output only when they fail. */
async function run(ctx: SourcesContext, args: string[], options: { quiet?: boolean; allowFailure?: boolean } = {}): Promise<number> {
  let captured = '';
  const result = await runProcess('git', args, {
    cwd: ctx.dirs.projectDir,
    env: { ...ctx.env, GIT_TERMINAL_PROMPT: '0' },
    signal: ctx.signal,
    onOutput: (text) => (options.quiet ? (captured += text) : ctx.write(text)),
  });
  if (result.error) throw new GitFailure(`git could not be started: ${result.error.message}`, 1, true);
  const code = result.exitCode ?? 1;
  if (code === 0 || options.allowFailure) return code;
  if (options.quiet && captured) ctx.write(captured);
  throw new GitFailure(result.interrupted ? 'interrupted' : `git ${args[0] === '-c' ? args[2] : args[0]} exited with code ${code}`, code);
}
