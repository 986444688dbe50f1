import { STATUS_CODES } from 'node:http';
import type { FastifyError, FastifyInstance } from 'fastify';
import { ApiError, routeNotFound } from '../errors/api-error.js';
import { grapeMessage } from './validation-errors.js';

/** Fastify's own client errors (bad URL, body too large, bad media type), in GitLab's `{"error": ...}` shape. */
function frameworkError(error: FastifyError): ApiError | null {
  if (error.validation && error.validation.length > 0) return new ApiError(400, { error: grapeMessage(error.validation[0]) });
  const status = error.statusCode ?? 500;
  if (status >= 500 || status < 400) return null;
  if (status === 404) return routeNotFound();
  return new ApiError(status, { error: `${status} ${STATUS_CODES[status] ?? 'Bad Request'}` });
}

/** Node's and PostgreSQL's ways of saying the database cannot be reached right now (not a bug in the request). */
const UNAVAILABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', '57P01', '57P02', '57P03', '08000', '08001', '08003', '08006', '53300']);
const UNAVAILABLE_MESSAGES = /timeout exceeded when trying to connect|Connection terminated|Client has encountered a connection error|database system is (starting up|shutting down)/i;

function isUnavailable(error: unknown): boolean {
  const e = error as { code?: unknown; message?: unknown };
  return (typeof e.code === 'string' && UNAVAILABLE_CODES.has(e.code)) || (typeof e.message === 'string' && UNAVAILABLE_MESSAGES.test(e.message));
}

export function registerErrorHandlers(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError | ApiError, request, reply) => {
    const apiError = error instanceof ApiError ? error : frameworkError(error);
    if (apiError) {
      return reply.code(apiError.status).headers(apiError.headers).type('application/json').send(apiError.body);
    }
    if (isUnavailable(error)) {
      // The runner and the clients retry a 503; a restarted database is back in seconds.
      request.log.warn({ err: error }, 'database unavailable');
      return reply.code(503).header('Retry-After', '5').type('application/json').send({ message: '503 Service Unavailable' });
    }
    request.log.error({ err: error }, 'unhandled error');
    return reply.code(500).type('application/json').send({ message: '500 Internal Server Error' });
  });
  app.setNotFoundHandler((_request, reply) => {
    const error = routeNotFound();
    return reply.code(error.status).type('application/json').send(error.body);
  });
}
