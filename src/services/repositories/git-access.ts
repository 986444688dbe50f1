import { ApiError } from '../../errors/api-error.js';
import type { Project } from '../../store/projects-repository.js';
import { anonymousActor, type Actor } from '../access/actor.js';
import { can } from '../access/project-policy.js';
import type { ServiceContext } from '../context.js';
import { findJobByToken } from '../jobs/job-tokens.js';
import { authenticateTokenWithScopes } from '../tokens/personal-access-tokens.js';

export type GitService = 'git-upload-pack' | 'git-receive-pack';

export interface GitCredentials {
  username: string;
  password: string;
}

export interface GitAccess {
  project: Project;
  actor: Actor;
  /** Job tokens read repositories; they never push. */
  viaJobToken: boolean;
}

export const GIT_REALM = 'Conveyor';
const JOB_TOKEN_USER = 'gitlab-ci-token';
/** A token must hold one of these to clone or fetch, and to push (GitLab's repository scopes). */
const READ_SCOPES = ['api', 'read_repository', 'write_repository'];
const WRITE_SCOPES = ['api', 'write_repository'];

/** Git shows a text/plain error body to its user as `remote: ...`, so these carry GitLab's sentences. */
const refuse = (status: number, message: string, headers: Record<string, string> = {}) => new ApiError(status, { message }, headers);

/** 401 with a Basic challenge, which is what makes git ask for (or retry with) credentials. */
export const askForCredentials = () =>
  refuse(
    401,
    "HTTP Basic: Access denied. If a password was provided for Git authentication, the password was incorrect or you're required to use a token instead of a password.",
    { 'WWW-Authenticate': `Basic realm="${GIT_REALM}"` },
  );

export const projectNotFound = () =>
  refuse(404, "The project you were looking for could not be found or you don't have permission to view it.");

/** `group/sub/project`: GitLab path segments only, so no request text can mean anything else. */
export function isProjectFullPath(fullPath: string): boolean {
  if (fullPath.length > 2048) return false;
  const segments = fullPath.split('/');
  return segments.length >= 2 && segments.every((s) => /^[A-Za-z0-9_][A-Za-z0-9_.+-]{0,254}$/.test(s) && !s.endsWith('.'));
}

async function actorFor(ctx: ServiceContext, credentials: GitCredentials | null, service: GitService): Promise<{ actor: Actor; viaJobToken: boolean }> {
  if (!credentials) return { actor: anonymousActor(), viaJobToken: false };
  if (credentials.username === JOB_TOKEN_USER) {
    const job = await findJobByToken(ctx, credentials.password);
    if (!job) throw askForCredentials();
    return { actor: { user: job.user, scopes: null, tokenId: null, sudoFrom: null }, viaJobToken: true };
  }
  // Any username, a personal access token as the password, as GitLab accepts.
  try {
    const { user, token } = await authenticateTokenWithScopes(ctx, credentials.password, service === 'git-receive-pack' ? WRITE_SCOPES : READ_SCOPES);
    return { actor: { user, scopes: token.scopes, tokenId: token.id, sudoFrom: null }, viaJobToken: false };
  } catch (error) {
    if (error instanceof ApiError && error.status === 403 && error.body.error === undefined) {
      throw refuse(403, 'Your account has been blocked.');
    }
    // Unknown, revoked or expired tokens, and tokens without a repository scope, do not authenticate.
    if (error instanceof ApiError) throw askForCredentials();
    throw error;
  }
}

/**
 * Who is asking for which project's repository, and whether they may: clone and fetch need
 * `download_code`, push needs `push_code`. Anonymous callers are asked for credentials wherever
 * a signed-in user could be let in — also for projects that do not exist, so a private project's
 * existence is not revealed — and signed-in callers get 404 for projects they cannot see.
 */
export async function authorizeGitAccess(
  ctx: ServiceContext,
  credentials: GitCredentials | null,
  fullPath: string,
  service: GitService,
): Promise<GitAccess> {
  // A path no project can have reveals nothing: 404 before any question of credentials.
  if (!isProjectFullPath(fullPath)) throw projectNotFound();
  const { actor, viaJobToken } = await actorFor(ctx, credentials, service);
  const project = await ctx.store.projects.findByFullPath(fullPath);
  if (!project || !(await can(ctx, actor, 'read_project', project))) {
    throw actor.user ? projectNotFound() : askForCredentials();
  }
  if (service === 'git-upload-pack') {
    if (!(await can(ctx, actor, 'download_code', project))) {
      throw actor.user ? refuse(403, 'You are not allowed to download code from this project.') : askForCredentials();
    }
  } else {
    if (!actor.user) throw askForCredentials();
    if (viaJobToken || !(await can(ctx, actor, 'push_code', project))) {
      throw refuse(403, 'You are not allowed to push code to this project.');
    }
  }
  return { project, actor, viaJobToken };
}
