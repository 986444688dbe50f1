/**
 * Secrets the runner should have masked, masked again before a log is stored. The replacement keeps the
 * secret's length, so the offsets the runner and the server agree on stay true.
 */
export function maskSecrets(bytes: Buffer, secrets: readonly Buffer[], from = 0): Buffer {
  let out = bytes;
  for (const secret of secrets) {
    if (secret.length === 0) continue;
    let at = out.indexOf(secret, Math.max(0, from - secret.length + 1));
    while (at !== -1) {
      if (out === bytes) out = Buffer.from(bytes);
      maskedReplacement(secret.length).copy(out, at);
      at = out.indexOf(secret, at + secret.length);
    }
  }
  return out;
}

/** `[MASKED]` followed by `x`s to the secret's length (masked values are at least 8 bytes). */
export function maskedReplacement(length: number): Buffer {
  const label = '[MASKED]';
  return Buffer.from(length >= label.length ? label + 'x'.repeat(length - label.length) : 'x'.repeat(length));
}

/** The longest secret, so an append can look back far enough to catch one split across two patches. */
export function longestSecret(secrets: readonly Buffer[]): number {
  return secrets.reduce((max, s) => Math.max(max, s.length), 0);
}
