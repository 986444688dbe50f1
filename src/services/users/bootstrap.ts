import crypto from 'node:crypto';
import { LockKind } from '../../store/advisory-locks.js';
import type { ServiceContext } from '../context.js';
import { issueToken } from '../tokens/personal-access-tokens.js';
import { insertUserWithNamespace } from './users.js';

export interface RootCredentials {
  /** Set only on the first start: the token and password, shown once. */
  token: string;
  password: string;
  passwordGenerated: boolean;
}

/**
 * On an empty database, creates the administrator `root` with a personal access token
 * (scopes `api` and `sudo`, so admins can act as others the way GitLab requires) and a password.
 */
export async function ensureRoot(
  ctx: ServiceContext,
  options: { rootToken?: string; rootPassword?: string },
): Promise<RootCredentials | null> {
  // Several processes may start on one new database together: one of them creates root.
  let created: RootCredentials | null = null;
  await ctx.store.locks.withLock(LockKind.duty, 0, async () => {
    created = await createRootIfNone(ctx, options);
  });
  return created;
}

async function createRootIfNone(ctx: ServiceContext, options: { rootToken?: string; rootPassword?: string }): Promise<RootCredentials | null> {
  if ((await ctx.store.users.count()) > 0) return null;
  const password = options.rootPassword ?? crypto.randomBytes(12).toString('base64url');
  const root = await insertUserWithNamespace(ctx, {
    username: 'root',
    name: 'Administrator',
    email: 'admin@example.com',
    password,
    isAdmin: true,
  });
  const { secret } = await issueToken(ctx, root.id, {
    name: 'initial root token',
    scopes: ['api', 'sudo'],
    expiresAt: null,
    secret: options.rootToken,
  });
  return { token: secret, password, passwordGenerated: options.rootPassword === undefined };
}
