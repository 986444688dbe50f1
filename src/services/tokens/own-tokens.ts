import { forbidden, modelInvalid } from '../../errors/api-error.js';
import type { Actor } from '../access/actor.js';
import { isoDate } from '../access/memberships.js';
import type { ServiceContext } from '../context.js';
import { issueToken, KNOWN_SCOPES, type IssuedToken } from './personal-access-tokens.js';

/** Scopes a user may give their own token on the settings page; `sudo` and `admin_mode` only administrators. */
export function ownTokenScopes(actor: Actor): string[] {
  return KNOWN_SCOPES.filter((s) => actor.user?.isAdmin || (s !== 'sudo' && s !== 'admin_mode'));
}

/**
 * A signed-in user creates a token for themselves (GitLab's Access tokens page). The secret is returned
 * once and only its digest is kept. Expiry is optional, a date in the future (YYYY-MM-DD).
 */
export async function createOwnToken(ctx: ServiceContext, actor: Actor, input: { name: string; scopes: string[]; expiresAt: string | null }): Promise<IssuedToken> {
  if (!actor.user) throw forbidden();
  const errors: Record<string, string[]> = {};
  if (!input.name.trim()) errors.name = ["can't be blank"];
  else if (input.name.length > 255) errors.name = ['is too long (maximum is 255 characters)'];
  const allowed = ownTokenScopes(actor);
  if (input.scopes.length === 0) errors.scopes = ["can't be blank"];
  else if (input.scopes.some((s) => !allowed.includes(s))) errors.scopes = ['are not allowed'];
  if (input.expiresAt !== null) {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(input.expiresAt) || Number.isNaN(Date.parse(input.expiresAt))) errors.expires_at = ['is invalid'];
    else if (input.expiresAt <= isoDate(ctx.clock.now())) errors.expires_at = ['must be in the future'];
  }
  if (Object.keys(errors).length > 0) throw modelInvalid(errors);
  return issueToken(ctx, actor.user.id, { name: input.name.trim(), scopes: [...new Set(input.scopes)], expiresAt: input.expiresAt });
}
