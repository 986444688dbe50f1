import crypto from 'node:crypto';
import type { SecretSource } from '../context.js';

/**
 * Random bytes handed out from a buffer filled 4 KiB at a time (as Node's randomUUID does): every job
 * gets a token, and a system call for each cost the event loop ~15 µs on a busy runner queue. Bytes
 * handed out are wiped from the buffer.
 */
const randomPool = Buffer.alloc(4096);
let randomPoolUsed = randomPool.length;

function pooledRandomBytes(size: number): Buffer {
  if (randomPoolUsed + size > randomPool.length) {
    crypto.randomFillSync(randomPool);
    randomPoolUsed = 0;
  }
  const bytes = Buffer.from(randomPool.subarray(randomPoolUsed, randomPoolUsed + size));
  randomPool.fill(0, randomPoolUsed, randomPoolUsed + size);
  randomPoolUsed += size;
  return bytes;
}

export const randomSecrets: SecretSource = {
  token: (prefix) => prefix + pooledRandomBytes(15).toString('base64url').replace(/[-_]/g, 'x'),
};

/** Tokens are stored only as this digest; a token is high-entropy, so a fast hash is enough. */
export function tokenDigest(token: string): string {
  return crypto.createHash('sha256').update(token, 'utf8').digest('hex');
}
