import crypto from 'node:crypto';
import type { SecretSource } from '../context.js';

export const randomSecrets: SecretSource = {
  token: (prefix) => prefix + crypto.randomBytes(15).toString('base64url').replace(/[-_]/g, 'x'),
};

/** Tokens are stored only as this digest; a token is high-entropy, so a fast hash is enough. */
export function tokenDigest(token: string): string {
  return crypto.createHash('sha256').update(token, 'utf8').digest('hex');
}
