import { Migrator, type Migration, type MigrationProvider } from 'kysely';
import type { DatabaseHandle } from './db.js';
import { identityAndProjects } from './migrations/001-identity-and-projects.js';
import { pipelinesAndJobs } from './migrations/002-pipelines-and-jobs.js';
import { jobArtifacts } from './migrations/003-job-artifacts.js';
import { jobListIndexes } from './migrations/004-job-list-indexes.js';
import { runnersAndTraces } from './migrations/005-runners-and-traces.js';
import { artifactsAccessAndJobTokenScope } from './migrations/006-artifacts-access-and-job-token-scope.js';
import { webSessions } from './migrations/007-web-sessions.js';
import { pendingQueueIndex } from './migrations/008-pending-queue-index.js';
import { jobArtifactsExpireAt } from './migrations/009-job-artifacts-expire-at.js';
import { projectStatistics } from './migrations/010-project-statistics.js';
import { jobLockVersion } from './migrations/011-job-lock-version.js';

function migrationsFor(handle: DatabaseHandle): Record<string, Migration> {
  return {
    '001-identity-and-projects': identityAndProjects(handle.dialect),
    '002-pipelines-and-jobs': pipelinesAndJobs(handle.dialect),
    '003-job-artifacts': jobArtifacts(handle.dialect),
    '004-job-list-indexes': jobListIndexes(),
    '005-runners-and-traces': runnersAndTraces(handle.dialect),
    '006-artifacts-access-and-job-token-scope': artifactsAccessAndJobTokenScope(),
    '007-web-sessions': webSessions(),
    '008-pending-queue-index': pendingQueueIndex(),
    '009-job-artifacts-expire-at': jobArtifactsExpireAt(),
    '010-project-statistics': projectStatistics(),
    '011-job-lock-version': jobLockVersion(handle.dialect),
  };
}

/**
 * Brings the schema up to date. Kysely's migrator takes a lock (an advisory lock on
 * PostgreSQL), so several processes starting together run each migration once.
 */
export async function migrateToLatest(handle: DatabaseHandle): Promise<string[]> {
  const provider: MigrationProvider = { getMigrations: async () => migrationsFor(handle) };
  const migrator = new Migrator({ db: handle.db, provider });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
