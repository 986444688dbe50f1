import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import { HOOK_ENV } from '../../git/hooks.js';
import { runHttpBackend, type HttpBackendResponse } from '../../git/http-backend.js';
import { repositoriesRoot, repositoryName } from '../../git/paths.js';
import type { GitRepository } from '../../git/repository.js';
import { isoNow, type ServiceContext } from '../context.js';
import { authorizeGitAccess, type GitAccess, type GitCredentials, type GitService } from './git-access.js';
import { pushRulesFor } from './protected-branches.js';
import { firstDefaultBranch, parsePushReport } from './push-report.js';
import { ensureRepository } from './repositories.js';
import { lockRepository } from './repository-lock.js';

export type GitAction = 'info/refs' | 'git-upload-pack' | 'git-receive-pack';

export interface GitHttpRequest {
  fullPath: string;
  action: GitAction;
  /** The service asked for: the query's `service` for info/refs, the action itself for POSTs. */
  service: GitService;
  credentials: GitCredentials | null;
  contentType?: string;
  contentEncoding?: string;
  gitProtocol?: string;
  remoteAddr?: string;
  body?: Readable;
}

export interface GitHttpResponse {
  status: number;
  headers: Record<string, string>;
  body: Readable;
  /** Settles when the request's work is over; rejects when something after a push failed (to be logged). */
  done: Promise<void>;
}

/**
 * Serves one git smart-HTTP request through `git http-backend`. A push runs under the repository's
 * lock with the pusher's protected-branch rules in the hooks' environment; its response ends only
 * after the push's report is read, the default branch set and the `push` event emitted, so a client
 * whose push returned sees every effect of it.
 */
export async function serveGitHttp(ctx: ServiceContext, request: GitHttpRequest): Promise<GitHttpResponse> {
  const access = await authorizeGitAccess(ctx, request.credentials, request.fullPath, request.service);
  const repository = await ensureRepository(ctx, access.project);
  if (request.action !== 'git-receive-pack') {
    const response = await backend(ctx, access, request, {});
    return relay(response, false, async () => {});
  }

  const release = await lockRepository(ctx, access.project.id, repository.path);
  try {
    await repository.installHooks();
    const wasEmpty = (await repository.branches()).length === 0;
    const rules = await pushRulesFor(ctx, access.actor, access.project);
    const reportDir = path.join(ctx.dataDir, 'tmp');
    await fs.mkdir(reportDir, { recursive: true, mode: 0o700 });
    const reportFile = path.join(reportDir, `push-${crypto.randomUUID()}.report`);
    const response = await backend(ctx, access, request, {
      [HOOK_ENV.protectedBranches]: rules.protectedPatterns.join('\n'),
      [HOOK_ENV.pushAllowed]: rules.pushAllowed.join('\n'),
      [HOOK_ENV.forcePushAllowed]: rules.forcePushAllowed.join('\n'),
      [HOOK_ENV.defaultBranch]: wasEmpty ? '' : (access.project.defaultBranch ?? ''),
      [HOOK_ENV.pushReport]: reportFile,
    });
    return relay(response, true, async () => {
      try {
        await finishPush(ctx, access, repository, reportFile, wasEmpty);
      } finally {
        release();
      }
    });
  } catch (error) {
    release();
    throw error;
  }
}

function backend(ctx: ServiceContext, access: GitAccess, request: GitHttpRequest, env: Record<string, string>): Promise<HttpBackendResponse> {
  const post = request.action !== 'info/refs';
  return runHttpBackend({
    projectRoot: repositoriesRoot(ctx.dataDir),
    pathInfo: `/${repositoryName(access.project.id)}/${request.action}`,
    method: post ? 'POST' : 'GET',
    // Rebuilt rather than forwarded: http-backend sees only what we vouch for.
    queryString: post ? '' : `service=${request.service}`,
    contentType: post ? request.contentType : undefined,
    contentEncoding: post ? request.contentEncoding : undefined,
    gitProtocol: request.gitProtocol,
    remoteUser: access.actor.user?.username,
    remoteAddr: request.remoteAddr,
    body: post ? request.body : undefined,
    env,
  });
}

/**
 * Passes git's output on, holding the end back until `after` has run once git exited. A client that
 * goes away stops a fetch, but a push is drained to its end: its refs may already have moved.
 */
function relay(response: HttpBackendResponse, isPush: boolean, after: () => Promise<void>): GitHttpResponse {
  const body = new PassThrough();
  let ended = false;
  response.body.pipe(body, { end: false });
  const bodyEnded = new Promise<void>((resolve) => {
    response.body.once('end', resolve);
    response.body.once('close', resolve);
  });
  body.once('close', () => {
    if (ended) return;
    if (isPush) response.body.resume();
    else response.kill();
  });
  const done = (async () => {
    try {
      await Promise.all([response.exited, bodyEnded]);
      await after();
    } finally {
      ended = true;
      body.end();
    }
  })();
  return { status: response.status, headers: response.headers, body, done };
}

async function finishPush(ctx: ServiceContext, access: GitAccess, repository: GitRepository, reportFile: string, wasEmpty: boolean): Promise<void> {
  const text = await fs.readFile(reportFile, 'utf8').catch(() => '');
  await fs.rm(reportFile, { force: true });
  const { updates, pushOptions } = parsePushReport(text);
  if (updates.length === 0) return;
  const project = access.project;
  const chosen = wasEmpty ? firstDefaultBranch(updates, project.defaultBranch) : null;
  if (chosen) {
    await repository.setHead(chosen);
    if (chosen !== project.defaultBranch) {
      await ctx.store.projects.update(project.id, { defaultBranch: chosen, updatedAt: isoNow(ctx) });
    }
  }
  ctx.events.emit('push', { projectId: project.id, userId: access.actor.user!.id, updates, pushOptions });
}
