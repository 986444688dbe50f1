import type { FastifyInstance } from 'fastify';
import { checkDatabase } from '../../services/health.js';

/** GitLab's probe endpoints: liveness says the process answers, readiness that it can reach its database. */
export default async function healthRoutes(app: FastifyInstance) {
  app.get('/-/health', async (_request, reply) => reply.type('text/plain').send('GitLab OK'));
  app.get('/-/liveness', async () => ({ status: 'ok' }));
  app.get('/-/readiness', async (_request, reply) => {
    const ok = await checkDatabase(app.ctx);
    return reply.code(ok ? 200 : 503).send({
      status: ok ? 'ok' : 'failed',
      master_check: [{ status: ok ? 'ok' : 'failed' }],
      db_check: [{ status: ok ? 'ok' : 'failed' }],
    });
  });
}
