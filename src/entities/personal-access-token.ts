import type { PersonalAccessToken } from '../store/personal-access-tokens-repository.js';

/** API::Entities::PersonalAccessToken; `secret` only in the reply that creates it. */
export function personalAccessTokenEntity(token: PersonalAccessToken, active: boolean, secret?: string) {
  return {
    id: token.id,
    name: token.name,
    revoked: token.revoked,
    created_at: token.createdAt,
    description: null,
    scopes: token.scopes,
    user_id: token.userId,
    last_used_at: token.lastUsedAt,
    active,
    expires_at: token.expiresAt,
    ...(secret !== undefined ? { token: secret } : {}),
  };
}
