import type { FastifyInstance } from 'fastify';
import { invalidParam } from '../errors/api-error.js';

/** The first parameter (in Grape's `a[b][0]` naming) whose string value holds a NUL character. */
function findNul(value: unknown, name: string, depth = 0): string | null {
  if (typeof value === 'string') return value.includes('\u0000') ? name || 'body' : null;
  // Raw bodies (log patches, uploads) are bytes, not parameters.
  if (depth > 8 || value === null || typeof value !== 'object' || Buffer.isBuffer(value)) return null;
  // for...in with an own-property test allocates nothing per key, unlike Object.entries; this runs on every body.
  const record = value as Record<string, unknown>;
  for (const key in record) {
    if (!Object.hasOwn(record, key)) continue;
    if (key.includes('\u0000')) return name || key;
    const inner = record[key];
    if (inner === null || (typeof inner !== 'string' && typeof inner !== 'object')) continue;
    const found = findNul(inner, name ? `${name}[${key}]` : key, depth + 1);
    if (found) return found;
  }
  return null;
}

/**
 * NUL characters are never valid in GitLab's parameters, and PostgreSQL cannot store them in text.
 * Refused here, once, before authentication (which reads `sudo`) and before any handler.
 */
export function registerNulGuard(app: FastifyInstance): void {
  // Callback hooks: they do no I/O, and an async hook costs a promise and a microtask on every request.
  app.addHook('onRequest', (request, _reply, done) => {
    // A catch-all route's `*` is a whole path that route checks itself (git's URLs): not a parameter.
    const { '*': _path, ...params } = (request.params ?? {}) as Record<string, unknown>;
    const bad = findNul(params, '') ?? findNul(request.query, '');
    done(bad ? invalidParam(bad) : undefined);
  });
  app.addHook('preValidation', (request, _reply, done) => {
    const bad = findNul(request.body, '');
    done(bad ? invalidParam(bad) : undefined);
  });
}
