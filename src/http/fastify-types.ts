import type { JobJsonCache } from '../entities/job-json-cache.js';
import type { Actor } from '../services/access/actor.js';
import type { ServiceContext } from '../services/context.js';
import type { ActiveSession } from '../services/sessions/web-sessions.js';
import type { InFlightHandlers } from './in-flight.js';
import type { FixedWindowLimiter } from './rate-limit.js';

declare module 'fastify' {
  interface FastifyInstance {
    ctx: ServiceContext;
    /** In-memory request limits per user, one limiter per limited endpoint. */
    rateLimits: { jobsIndex: FixedWindowLimiter };
    /** The API's Job entities of settled jobs, kept between replies (entities/job-json-cache.ts). */
    jobJson: JobJsonCache;
    /** Route handlers still running (a shutdown waits for them). */
    inFlight: InFlightHandlers;
  }
  interface FastifyRequest {
    actor: Actor;
    /** The web UI's session, on web pages (not API or git requests). */
    webSession: ActiveSession | null;
  }
  interface FastifyContextConfig {
    /** `required`: anonymous callers get 401 (GitLab's `authenticate!`); `optional`: anonymous allowed. */
    auth?: 'required' | 'optional';
    /** GitLab's `job_token_allowed`: this route also accepts a running job's CI_JOB_TOKEN. */
    jobToken?: boolean;
    /** GitLab's `allow_access_with_scope`: token scopes this route accepts besides `api`/`read_api`. */
    scopes?: readonly string[];
  }
}

export {};
