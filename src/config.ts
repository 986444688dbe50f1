import path from 'node:path';

export interface Config {
  host: string;
  port: number;
  dataDir: string;
  externalUrl: string;
  /** A postgres:// URL switches the store to PostgreSQL; undefined means SQLite in the data folder. */
  databaseUrl?: string;
  databasePoolSize: number;
  rootToken?: string;
  rootPassword?: string;
  logLevel: string;
  /** Requests per minute and user on `GET /projects/:id/jobs` (GitLab's default 600); 0 turns the limit off. */
  jobsApiRateLimit: number;
  /** Where logs and artifacts live; every server process must mount the same folder. */
  blobsDir: string;
  /** Seconds a runner's idle `POST /jobs/request` is held open waiting for a job (0 = answer at once). */
  longPollSeconds: number;
  /** Seconds a pending job may wait for a runner before it fails as stuck (default 3600). */
  stuckTimeoutSeconds: number;
}

export interface ConfigInput {
  host?: string;
  port?: string | number;
  data?: string;
  externalUrl?: string;
  databaseUrl?: string;
  databasePoolSize?: string | number;
  logLevel?: string;
  jobsApiRateLimit?: string | number;
  blobsDir?: string;
  longPoll?: string | number;
  stuckTimeout?: string | number;
}

function parsePort(value: string | number, what: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`${what} must be a port number between 0 and 65535, got "${value}"`);
  }
  return port;
}

/** One typed config from flags first, then CONVEYOR_* variables, then defaults. */
export function loadConfig(input: ConfigInput = {}, env: NodeJS.ProcessEnv = process.env): Config {
  const host = input.host ?? env.CONVEYOR_HOST ?? '127.0.0.1';
  const port = parsePort(input.port ?? env.CONVEYOR_PORT ?? 8080, '--port');
  const dataDir = path.resolve(input.data ?? env.CONVEYOR_DATA ?? './conveyor-data');
  const databaseUrl = input.databaseUrl ?? env.CONVEYOR_DATABASE_URL ?? undefined;
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new Error('CONVEYOR_DATABASE_URL must be a postgres:// URL (leave it unset for SQLite)');
  }
  const poolSize = Number(input.databasePoolSize ?? env.CONVEYOR_DATABASE_POOL_SIZE ?? 10);
  if (!Number.isInteger(poolSize) || poolSize < 1) throw new Error('--database-pool-size must be a positive integer');
  const rawExternal = input.externalUrl ?? env.CONVEYOR_EXTERNAL_URL;
  const externalUrl = (rawExternal ?? `http://${host.includes(':') ? `[${host}]` : host}:${port}`).replace(/\/+$/, '');
  if (!/^https?:\/\/[^/]+/.test(externalUrl)) throw new Error('--external-url must be an http(s) URL');
  const rawRateLimit = input.jobsApiRateLimit ?? env.CONVEYOR_JOBS_API_RATE_LIMIT ?? 600;
  const jobsApiRateLimit = typeof rawRateLimit === 'string' && rawRateLimit.trim() === '' ? Number.NaN : Number(rawRateLimit);
  if (!Number.isSafeInteger(jobsApiRateLimit) || jobsApiRateLimit < 0) {
    throw new Error(`--jobs-api-rate-limit must be a whole number of requests per minute (0 = off), got "${rawRateLimit}"`);
  }
  const blobsDir = path.resolve(input.blobsDir ?? env.CONVEYOR_BLOBS_DIR ?? path.join(dataDir, 'blobs'));
  const rawLongPoll = input.longPoll ?? env.CONVEYOR_LONG_POLL ?? 50;
  const longPollSeconds = Number(rawLongPoll);
  if (!Number.isFinite(longPollSeconds) || longPollSeconds < 0 || longPollSeconds > 300) {
    throw new Error(`--long-poll must be a number of seconds from 0 to 300, got "${rawLongPoll}"`);
  }
  const rawStuck = input.stuckTimeout ?? env.CONVEYOR_STUCK_TIMEOUT ?? 3600;
  const stuckTimeoutSeconds = Number(rawStuck);
  if (!Number.isFinite(stuckTimeoutSeconds) || stuckTimeoutSeconds < 60) {
    throw new Error(`--stuck-timeout must be a number of seconds, at least 60, got "${rawStuck}"`);
  }
  return {
    host,
    port,
    dataDir,
    externalUrl,
    databaseUrl: databaseUrl || undefined,
    databasePoolSize: poolSize,
    rootToken: env.CONVEYOR_ROOT_TOKEN || undefined,
    rootPassword: env.CONVEYOR_ROOT_PASSWORD || undefined,
    logLevel: input.logLevel ?? env.CONVEYOR_LOG_LEVEL ?? 'info',
    jobsApiRateLimit,
    blobsDir,
    longPollSeconds,
    stuckTimeoutSeconds,
  };
}
