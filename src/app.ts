import crypto from 'node:crypto';
import { JobJsonCache } from './entities/job-json-cache.js';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import './http/fastify-types.js';
import { registerAuthentication } from './http/auth.js';
import { parseQueryString, registerBodyParsers } from './http/body-parsers.js';
import { registerErrorHandlers } from './http/errors.js';
import { registerInFlightTracking } from './http/in-flight.js';
import { registerNulGuard } from './http/nul-guard.js';
import { addGitlabKeywords } from './http/params.js';
import { FixedWindowLimiter } from './http/rate-limit.js';
import type { ServiceContext } from './services/context.js';
import userRoutes from './routes/api-v4/users.js';
import personalAccessTokenRoutes from './routes/api-v4/personal-access-tokens.js';
import projectRoutes from './routes/api-v4/projects.js';
import groupRoutes from './routes/api-v4/groups.js';
import memberRoutes from './routes/api-v4/members.js';
import metadataRoutes from './routes/api-v4/metadata.js';
import ciLintRoutes from './routes/api-v4/ci-lint.js';
import variableRoutes from './routes/api-v4/variables.js';
import protectedBranchRoutes from './routes/api-v4/protected-branches.js';
import pipelineRoutes from './routes/api-v4/pipelines.js';
import repositoryRoutes from './routes/api-v4/repository.js';
import jobRoutes from './routes/api-v4/jobs.js';
import jobArtifactRoutes from './routes/api-v4/job-artifacts.js';
import jobTokenScopeRoutes from './routes/api-v4/job-token-scope.js';
import healthRoutes from './routes/web/health.js';
import gitSmartHttpRoutes from './routes/git/smart-http.js';
import runnerRegistrationRoutes from './routes/runner-api/runner-registration.js';
import jobRequestRoutes from './routes/runner-api/job-request.js';
import jobUpdateRoutes from './routes/runner-api/job-updates.js';
import runnerArtifactRoutes from './routes/runner-api/artifacts.js';
import userRunnerRoutes from './routes/api-v4/user-runners.js';
import jobTraceStreamRoutes from './routes/api-v4/job-trace-stream.js';
import runnerRoutes from './routes/api-v4/runners.js';
import applicationSettingsRoutes from './routes/api-v4/application-settings.js';
import webUiRoutes from './routes/web/web-ui.js';
import { registerJsonSerializer } from './http/json-body.js';

export interface AppOptions {
  ctx: ServiceContext;
  logger: Logger | false;
  /** `GET /projects/:id/jobs` requests per minute and user (GitLab's `project_jobs_api_rate_limit`, 600); 0 = off. */
  jobsApiRateLimit?: number;
  /** Seconds an idle runner's job request is held (default 50). */
  longPollSeconds?: number;
}

/** Builds the Fastify instance: cross-cutting HTTP conventions first, then every route. */
export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: options.logger || undefined,
    logger: options.logger ? undefined : false,
    genReqId: () => crypto.randomUUID(),
    routerOptions: { maxParamLength: 2048, querystringParser: parseQueryString },
    bodyLimit: 1024 * 1024,
    ajv: { customOptions: { coerceTypes: 'array', removeAdditional: false, allErrors: false }, plugins: [addGitlabKeywords] },
  }) as unknown as FastifyInstance;

  app.decorate('ctx', options.ctx);
  const ctx = options.ctx;
  app.decorate('rateLimits', { jobsIndex: new FixedWindowLimiter(options.jobsApiRateLimit ?? 600, 60_000, () => ctx.clock.now().getTime()) });
  app.decorate('jobJson', new JobJsonCache({ externalUrl: ctx.externalUrl }));
  // Node drops CONNECT requests silently unless someone answers them.
  app.server.on('connect', (_request, socket) => {
    const body = JSON.stringify({ error: '405 Method Not Allowed' });
    socket.end(`HTTP/1.1 405 Method Not Allowed\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\nconnection: close\r\n\r\n${body}`);
  });
  registerInFlightTracking(app);
  registerBodyParsers(app);
  registerJsonSerializer(app);
  registerErrorHandlers(app);
  registerNulGuard(app);
  registerAuthentication(app);

  app.addHook('onSend', (request, reply, payload, done) => {
    reply.header('X-Request-Id', request.id);
    const type = reply.getHeader('content-type');
    // python-gitlab 3.12 compares the header with "application/json" literally.
    if (typeof type === 'string' && type.startsWith('application/json')) reply.header('content-type', 'application/json');
    else if (type === undefined && payload !== undefined && payload !== null && reply.statusCode !== 204) {
      reply.header('content-type', 'application/octet-stream');
    }
    done(null, payload);
  });

  await app.register(healthRoutes);
  await app.register(metadataRoutes);
  await app.register(userRoutes);
  await app.register(personalAccessTokenRoutes);
  await app.register(projectRoutes);
  await app.register(groupRoutes);
  await app.register(memberRoutes);
  await app.register(ciLintRoutes);
  await app.register(variableRoutes);
  await app.register(pipelineRoutes);
  await app.register(repositoryRoutes);
  await app.register(jobRoutes);
  await app.register(jobArtifactRoutes);
  await app.register(jobTokenScopeRoutes);
  await app.register(jobTraceStreamRoutes);
  await app.register(userRunnerRoutes);
  await app.register(runnerRoutes);
  await app.register(applicationSettingsRoutes);
  await app.register(runnerRegistrationRoutes);
  await app.register(jobRequestRoutes, { longPollSeconds: options.longPollSeconds ?? 50 });
  await app.register(jobUpdateRoutes);
  await app.register(runnerArtifactRoutes);
  await app.register(protectedBranchRoutes);
  await app.register(webUiRoutes);
  // Its catch-all route sees only URLs no other route matches, whatever the order.
  await app.register(gitSmartHttpRoutes);
  return app;
}
