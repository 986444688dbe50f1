import qs from 'qs';
import type { FastifyInstance } from 'fastify';
import { ApiError } from '../errors/api-error.js';

export const QS_OPTIONS = { depth: 5, arrayLimit: 200, parameterLimit: 1000, allowDots: false } as const;

export function parseQueryString(text: string): Record<string, unknown> {
  return qs.parse(text, QS_OPTIONS) as Record<string, unknown>;
}

/**
 * GitLab accepts an empty body with a JSON content type (glab sends one on every POST),
 * form-encoded bodies in Rails' bracket syntax, and JSON. Bodies that are not objects are refused.
 */
export function registerBodyParsers(app: FastifyInstance): void {
  app.removeContentTypeParser(['application/json', 'text/plain']);
  app.addContentTypeParser(/^application\/(.+\+)?json/, { parseAs: 'string' }, (_request, body, done) => {
    const text = (body as string).trim();
    if (text === '') return done(null, {});
    try {
      const parsed: unknown = JSON.parse(text);
      if (parsed === null || typeof parsed !== 'object') return done(null, {});
      done(null, parsed);
    } catch {
      done(new ApiError(400, { error: 'The provided content-type is application/json but the body is not valid JSON' }), undefined);
    }
  });
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => {
    done(null, parseQueryString(body as string));
  });
  // A request without a body has no parameters, like an empty JSON object (Grape's view).
  app.addHook('preValidation', (request, _reply, done) => {
    if (request.body === undefined || request.body === null) request.body = {};
    done();
  });
  // Anything else (text/plain from curl -d, octet-stream) is read and ignored, as Grape does with unknown bodies.
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, _body, done) => done(null, {}));
}
