import type { PushEvent, RefUpdate } from '../events.js';
import type { ServiceContext } from '../context.js';
import { ensureRepository } from '../repositories/repositories.js';
import { createPipelineForCommit } from './pipeline-from-commit.js';
import { NULL_SHA } from './predefined-variables.js';

const SKIP_CI = /\[(skip ci|ci skip)\]/i;

/** `-o ci.skip` and `-o ci.variable="KEY=VALUE"`, as GitLab reads push options. */
export function readPushOptions(options: string[]): { skip: boolean; variables: Array<{ key: string; value: string }> } {
  const variables: Array<{ key: string; value: string }> = [];
  let skip = false;
  for (const option of options) {
    if (option === 'ci.skip') skip = true;
    const match = option.match(/^ci\.variable=([^=]+)=(.*)$/s);
    if (match) variables.push({ key: match[1], value: match[2] });
  }
  return { skip, variables };
}

function refKind(update: RefUpdate): { ref: string; tag: boolean } | null {
  if (update.ref.startsWith('refs/heads/')) return { ref: update.ref.slice('refs/heads/'.length), tag: false };
  if (update.ref.startsWith('refs/tags/')) return { ref: update.ref.slice('refs/tags/'.length), tag: true };
  return null;
}

/**
 * One pipeline (source `push`) per pushed branch or tag; none for deletions, for `ci.skip`, or when the
 * head commit says `[skip ci]`. A broken config still leaves a failed pipeline carrying its errors.
 */
export async function createPipelinesForPush(ctx: ServiceContext, event: PushEvent): Promise<number[]> {
  const project = await ctx.store.projects.findById(event.projectId);
  if (!project) return [];
  const options = readPushOptions(event.pushOptions);
  if (options.skip) return [];
  const repository = await ensureRepository(ctx, project);
  const created: number[] = [];
  for (const update of event.updates) {
    const kind = refKind(update);
    if (!kind || update.after === NULL_SHA) continue;
    const commit = await repository.commit(update.after);
    if (commit && SKIP_CI.test(commit.message)) continue;
    const result = await createPipelineForCommit(ctx, project, {
      ref: kind.ref,
      tag: kind.tag,
      sha: update.after,
      beforeSha: update.before,
      source: 'push',
      userId: event.userId,
      variables: options.variables.map((v) => ({ ...v, variable_type: 'env_var' as const })),
    }, { keepFailed: true });
    if (result.status !== 'rejected') created.push(result.pipeline.id);
  }
  return created;
}

/** Pipelines follow pushes: the git route emits `push`, this creates the pipelines (errors are logged, never thrown). */
export function registerPushTrigger(ctx: ServiceContext, log: (error: unknown) => void): void {
  ctx.events.on('push', (event) => {
    ctx.events.track(() => createPipelinesForPush(ctx, event).catch(log));
  });
}
