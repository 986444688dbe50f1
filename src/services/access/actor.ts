import type { User } from '../../store/users-repository.js';

/**
 * Who is calling. `user` is null for anonymous callers. `scopes` are the token's scopes
 * (null when the caller authenticated without a scoped token, e.g. a web session).
 */
export interface Actor {
  user: User | null;
  scopes: string[] | null;
  /** The personal access token used, so `GET /personal_access_tokens/self` can answer. */
  tokenId: number | null;
  /** The admin who sent `Sudo`, when the request runs as another user. */
  sudoFrom: User | null;
  /** Set when the caller authenticated with a running job's CI_JOB_TOKEN (on routes that accept one). */
  jobToken?: { jobId: number; projectId: number };
}

export const anonymousActor = (): Actor => ({ user: null, scopes: null, tokenId: null, sudoFrom: null });

export const isAdmin = (actor: Actor): boolean => actor.user?.isAdmin === true;
