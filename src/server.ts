import fs from 'node:fs';
import path from 'node:path';
import { pino } from 'pino';
import type { FastifyInstance } from 'fastify';
import { buildApp } from './app.js';
import type { Config } from './config.js';
import { systemClock, type ServiceContext } from './services/context.js';
import { ConveyorEvents } from './services/events.js';
import { randomSecrets } from './services/security/secrets.js';
import { ensureRoot, type RootCredentials } from './services/users/bootstrap.js';
import { enqueueDueJobs } from './services/pipelines/job-lifecycle.js';
import { registerPushTrigger } from './services/pipelines/push-trigger.js';
import { registerRepositoryStatistics } from './services/projects/project-statistics.js';
import { registerBridgeTriggers } from './services/pipelines/bridges.js';
import { FilesystemBlobStore } from './blobs/filesystem-blob-store.js';
import { BuildQueue } from './services/queue/build-queue.js';
import { bridgeEvents } from './services/cluster-events.js';
import { registerTraceWatchers } from './services/traces/trace-watchers.js';
import { DEFAULT_STUCK_LIMITS, dropStuckJobs } from './services/queue/stuck-jobs.js';
import { startArtifactHousekeeping } from './services/artifacts/artifact-housekeeping.js';
import { openDatabase, type DatabaseHandle } from './store/db.js';
import { migrateToLatest } from './store/migrate.js';
import { Store } from './store/store.js';
import { LockKind } from './store/advisory-locks.js';

export interface RunningServer {
  app: FastifyInstance;
  url: string;
  rootCredentials: RootCredentials | null;
  close(): Promise<void>;
}

function writeSecretFile(file: string, value: string): void {
  fs.writeFileSync(file, `${value}\n`, { mode: 0o600 });
  fs.chmodSync(file, 0o600);
}

export async function openStore(config: Config): Promise<DatabaseHandle> {
  fs.mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const handle = openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolSize: config.databasePoolSize });
  await migrateToLatest(handle);
  return handle;
}

/** Opens the store, migrates, creates root on first start, and listens. */
export async function startServer(config: Config, options: { log?: boolean } = {}): Promise<RunningServer> {
  const handle = await openStore(config);
  const events = new ConveyorEvents();
  const ctx: ServiceContext = {
    store: Store.over(handle, { poolSize: config.databasePoolSize }),
    clock: systemClock,
    secrets: randomSecrets,
    externalUrl: config.externalUrl,
    dataDir: config.dataDir,
    events,
    blobs: new FilesystemBlobStore(config.blobsDir),
    queue: new BuildQueue(events, { shared: handle.dialect === 'postgres' }),
  };
  const rootCredentials = await ensureRoot(ctx, { rootToken: config.rootToken, rootPassword: config.rootPassword });
  if (rootCredentials) {
    if (!config.rootToken) writeSecretFile(path.join(config.dataDir, 'initial_root_token'), rootCredentials.token);
    if (rootCredentials.passwordGenerated) writeSecretFile(path.join(config.dataDir, 'initial_root_password'), rootCredentials.password);
  }
  const logger = options.log === false ? false : pino({ level: config.logLevel });
  const app = await buildApp({ ctx, logger, jobsApiRateLimit: config.jobsApiRateLimit, longPollSeconds: config.longPollSeconds });
  await bridgeEvents(ctx, handle.notifier, (error) => app.log.warn({ err: error }, 'cross-process event delivery failed'));
  registerTraceWatchers(ctx);
  registerPushTrigger(ctx, (error) => app.log.error({ err: error }, 'creating pipelines for a push failed'));
  registerRepositoryStatistics(ctx, (error) => app.log.error({ err: error }, 'marking repository statistics stale failed'));
  registerBridgeTriggers(ctx, (error) => app.log.error({ err: error }, 'a trigger job failed'));
  // Delayed jobs become pending at their time. Every process runs the timer; one at a time does the work
  // (an advisory lock), and the conditional updates would keep a job from being enqueued twice anyway.
  const scheduler = setInterval(() => {
    ctx.events.track(() => ctx.store.locks.ifFree(LockKind.duty, 1, () => enqueueDueJobs(ctx)).catch((error: unknown) => app.log.error({ err: error }, 'enqueuing delayed jobs failed')));
  }, 1000);
  scheduler.unref();
  // Timeouts and lost runners, once a minute in every process; each drop is a conditional transition.
  const limits = { ...DEFAULT_STUCK_LIMITS, pendingMs: config.stuckTimeoutSeconds * 1000 };
  const sweeper = setInterval(() => {
    ctx.events.track(() => ctx.store.locks.ifFree(LockKind.duty, 2, () => dropStuckJobs(ctx, limits)).catch((error: unknown) => app.log.error({ err: error }, 'dropping stuck jobs failed')));
  }, 60_000);
  sweeper.unref();
  // Logs archived as artifacts, erased jobs' files deleted, expired artifacts swept (each removal decided by the database).
  const stopArtifactHousekeeping = startArtifactHousekeeping(ctx, (error, what) => app.log.error({ err: error }, what));
  try {
    await app.listen({ port: config.port, host: config.host });
  } catch (error) {
    await handle.close();
    throw error;
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  let closed = false;
  return {
    app,
    url: `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`,
    rootCredentials,
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(scheduler);
      clearInterval(sweeper);
      stopArtifactHousekeeping();
      // Held long polls end with 204 so the close does not wait out their window.
      app.server.closeIdleConnections?.();
      const closing = app.close();
      ctx.queue.releaseAll();
      await closing;
      // Handlers whose clients hung up are no longer awaited by the HTTP server; they finish first.
      await app.inFlight.drain();
      // Work started by events (pipelines for a push, downstream pipelines) finishes before the database closes.
      await ctx.events.drain();
      await ctx.blobs.close();
      await handle.close();
    },
  };
}
