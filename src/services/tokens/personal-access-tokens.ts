import { forbidden, insufficientScope, invalidParam, invalidToken, modelInvalid, notFound, unauthorized } from '../../errors/api-error.js';
import type { PersonalAccessToken } from '../../store/personal-access-tokens-repository.js';
import type { User } from '../../store/users-repository.js';
import type { Actor } from '../access/actor.js';
import { isoDate } from '../access/memberships.js';
import { isoNow, type ServiceContext } from '../context.js';
import { tokenDigest } from '../security/secrets.js';
import { findUser } from '../users/users.js';

export const TOKEN_PREFIX = 'glpat-';
export const KNOWN_SCOPES = [
  'api', 'read_api', 'read_user', 'read_repository', 'write_repository', 'read_registry', 'write_registry',
  'sudo', 'admin_mode', 'create_runner', 'manage_runner', 'ai_features', 'ai_workflows', 'k8s_proxy', 'read_service_ping',
] as const;

/** Scopes that let a token call any method; others are read-only (GET/HEAD). */
const WRITE_SCOPES = ['api'];
const READ_SCOPES = ['api', 'read_api'];

export interface IssuedToken {
  token: PersonalAccessToken;
  secret: string;
}

export async function issueToken(
  ctx: ServiceContext,
  userId: number,
  input: { name: string; scopes: string[]; expiresAt: string | null; secret?: string },
): Promise<IssuedToken> {
  const secret = input.secret ?? ctx.secrets.token(TOKEN_PREFIX);
  const token = await ctx.store.personalAccessTokens.insert({
    userId,
    name: input.name,
    tokenDigest: tokenDigest(secret),
    scopes: input.scopes,
    expiresAt: input.expiresAt,
    createdAt: isoNow(ctx),
  });
  return { token, secret };
}

/** Admin-only `POST /users/:id/personal_access_tokens`. */
export async function createTokenForUser(
  ctx: ServiceContext,
  actor: Actor,
  userId: number,
  input: { name: string; scopes: string[]; expires_at?: string },
): Promise<IssuedToken> {
  if (!actor.user?.isAdmin) throw forbidden();
  const user = await findUser(ctx, userId);
  if (input.scopes.length === 0 || input.scopes.some((s) => !(KNOWN_SCOPES as readonly string[]).includes(s))) {
    throw invalidParam('scopes', 'does not have a valid value');
  }
  if (!input.name.trim()) throw modelInvalid({ name: ["can't be blank"] });
  const expiresAt = input.expires_at ?? null;
  if (expiresAt !== null && expiresAt <= isoDate(ctx.clock.now())) {
    throw modelInvalid({ expires_at: ['must be in the future'] });
  }
  return issueToken(ctx, user.id, { name: input.name, scopes: input.scopes, expiresAt });
}

export function isTokenActive(ctx: ServiceContext, token: PersonalAccessToken): boolean {
  return !token.revoked && !isExpired(ctx, token);
}

function isExpired(ctx: ServiceContext, token: PersonalAccessToken): boolean {
  return token.expiresAt !== null && token.expiresAt <= isoDate(ctx.clock.now());
}

/**
 * Turns a presented secret into its token and user, or fails the way GitLab does:
 * unknown → 401, expired/revoked → 401 invalid_token, blocked user → 403.
 */
export async function authenticateToken(
  ctx: ServiceContext,
  secret: string,
  method: string,
  /** Scopes this route accepts besides the usual ones (GitLab's `allow_access_with_scope`). */
  routeScopes: readonly string[] = [],
): Promise<{ user: User; token: PersonalAccessToken }> {
  return authenticateTokenWithScopes(ctx, secret, [...(method === 'GET' || method === 'HEAD' ? READ_SCOPES : WRITE_SCOPES), ...routeScopes]);
}

/** authenticateToken for callers whose scopes do not follow the HTTP method (git over HTTP clones with POST). */
export async function authenticateTokenWithScopes(
  ctx: ServiceContext,
  secret: string,
  allowed: readonly string[],
): Promise<{ user: User; token: PersonalAccessToken }> {
  const found = await ctx.store.personalAccessTokens.findByDigestWithUser(tokenDigest(secret));
  if (!found) throw unauthorized();
  const { token, user } = found;
  if (token.revoked) throw invalidToken('Token was revoked. You have to re-authorize from the user.');
  if (isExpired(ctx, token)) throw invalidToken('Token is expired. You can either do re-authorization or token refresh.');
  if (!user) throw unauthorized();
  if (user.state === 'blocked') throw forbidden('Your account has been blocked.');
  if (!token.scopes.some((s) => allowed.includes(s))) {
    throw insufficientScope([...allowed]);
  }
  await touchToken(ctx, token);
  return { user, token };
}

async function touchToken(ctx: ServiceContext, token: PersonalAccessToken): Promise<void> {
  const now = ctx.clock.now();
  if (token.lastUsedAt && now.getTime() - Date.parse(token.lastUsedAt) < 60_000) return;
  await ctx.store.personalAccessTokens.touch(token.id, now.toISOString());
}

export async function findOwnToken(ctx: ServiceContext, actor: Actor, id: number): Promise<PersonalAccessToken> {
  const token = await ctx.store.personalAccessTokens.findById(id);
  if (!token || (token.userId !== actor.user?.id && !actor.user?.isAdmin)) throw notFound('Personal Access Token');
  return token;
}

export async function currentToken(ctx: ServiceContext, actor: Actor): Promise<PersonalAccessToken> {
  if (actor.tokenId === null) throw notFound('Personal Access Token');
  return findOwnToken(ctx, actor, actor.tokenId);
}

export async function listTokens(ctx: ServiceContext, actor: Actor, userId?: number): Promise<PersonalAccessToken[]> {
  const target = userId !== undefined && actor.user?.isAdmin ? userId : actor.user!.id;
  return ctx.store.personalAccessTokens.listByUser(target);
}

export async function revokeToken(ctx: ServiceContext, actor: Actor, id: number): Promise<void> {
  const token = await findOwnToken(ctx, actor, id);
  if (token.revoked) throw notFound('Personal Access Token');
  await ctx.store.personalAccessTokens.revoke(token.id);
}
