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

export function registerErrorHandlers(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError | ApiError, request, reply) => {
    const apiError = error instanceof ApiError ? error : frameworkError(error);
    if (apiError) {
      return reply.code(apiError.status).headers(apiError.headers).type('application/json').send(apiError.body);
    }
    request.log.error({ err: error }, 'unhandled error');
    return reply.code(500).type('application/json').send({ message: '500 Internal Server Error' });
  });
  app.setNotFoundHandler((_request, reply) => {
    const error = routeNotFound();
    return reply.code(error.status).type('application/json').send(error.body);
  });
}
