import path from 'node:path';
import type { FastifyBaseLogger } from 'fastify';
import { generateSystemId, Runner } from '../runner/index.js';
import type { RunningServer } from '../server.js';
import { ensureBuiltInRunner } from '../services/runners/built-in-runner.js';

/**
 * Starts the runner `conveyor up` runs beside the server: registered once as an instance runner that
 * takes untagged jobs, talking to the server over HTTP like any gitlab-runner.
 */
export async function startBuiltInRunner(server: RunningServer, options: { dataDir: string; concurrent: number; logger: FastifyBaseLogger }): Promise<Runner> {
  const credentials = await ensureBuiltInRunner(server.app.ctx, generateSystemId());
  const runner = new Runner({
    url: server.url,
    token: credentials.token,
    systemId: credentials.systemId,
    concurrent: options.concurrent,
    buildsDir: path.join(options.dataDir, 'builds'),
    logger: options.logger.child({ component: 'runner' }),
  });
  runner.start();
  return runner;
}
