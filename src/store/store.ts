import type { Kysely } from 'kysely';
import type { Database } from './schema.js';
import type { DatabaseHandle, Dialect } from './db.js';
import { UsersRepository } from './users-repository.js';
import { PersonalAccessTokensRepository } from './personal-access-tokens-repository.js';
import { NamespacesRepository } from './namespaces-repository.js';
import { ProjectsRepository } from './projects-repository.js';
import { MembersRepository } from './members-repository.js';
import { ProtectedBranchesRepository } from './protected-branches-repository.js';
import { PipelinesRepository } from './pipelines-repository.js';
import { JobsRepository } from './jobs-repository.js';
import { CiVariablesRepository } from './ci-variables-repository.js';
import { JobArtifactsRepository } from './job-artifacts-repository.js';
import { CommitsRepository } from './commits-repository.js';
import { AdvisoryLocks } from './advisory-locks.js';
import { RunnersRepository } from './runners-repository.js';
import { RunnerManagersRepository } from './runner-managers-repository.js';
import { ApplicationSettingsRepository } from './application-settings-repository.js';
import { JobTracesRepository } from './job-traces-repository.js';
import { JobQueueRepository } from './job-queue-repository.js';
import { WebSessionsRepository } from './web-sessions-repository.js';
import { JobTokenScopeRepository } from './job-token-scope-repository.js';
import { ProjectStatisticsRepository } from './project-statistics-repository.js';

/** Every repository over one executor: the pool, or a transaction. */
export class Store {
  readonly users: UsersRepository;
  readonly personalAccessTokens: PersonalAccessTokensRepository;
  readonly namespaces: NamespacesRepository;
  readonly projects: ProjectsRepository;
  readonly members: MembersRepository;
  readonly protectedBranches: ProtectedBranchesRepository;
  readonly pipelines: PipelinesRepository;
  readonly jobs: JobsRepository;
  readonly ciVariables: CiVariablesRepository;
  readonly jobArtifacts: JobArtifactsRepository;
  readonly commits: CommitsRepository;
  readonly runners: RunnersRepository;
  readonly runnerManagers: RunnerManagersRepository;
  readonly applicationSettings: ApplicationSettingsRepository;
  readonly jobTraces: JobTracesRepository;
  readonly jobQueue: JobQueueRepository;
  readonly webSessions: WebSessionsRepository;
  readonly jobTokenScope: JobTokenScopeRepository;
  readonly projectStatistics: ProjectStatisticsRepository;

  constructor(
    readonly db: Kysely<Database>,
    readonly dialect: Dialect,
    /** Cross-process locks, shared by a store and the stores of its transactions. */
    readonly locks: AdvisoryLocks = new AdvisoryLocks(db, dialect, 1),
  ) {
    this.users = new UsersRepository(db);
    this.personalAccessTokens = new PersonalAccessTokensRepository(db);
    this.namespaces = new NamespacesRepository(db);
    this.projects = new ProjectsRepository(db);
    this.members = new MembersRepository(db);
    this.protectedBranches = new ProtectedBranchesRepository(db);
    this.pipelines = new PipelinesRepository(db, dialect);
    this.jobs = new JobsRepository(db, dialect);
    this.ciVariables = new CiVariablesRepository(db);
    this.jobArtifacts = new JobArtifactsRepository(db);
    this.commits = new CommitsRepository(db);
    this.runners = new RunnersRepository(db);
    this.runnerManagers = new RunnerManagersRepository(db);
    this.applicationSettings = new ApplicationSettingsRepository(db);
    this.jobTraces = new JobTracesRepository(db);
    this.jobQueue = new JobQueueRepository(db, dialect);
    this.webSessions = new WebSessionsRepository(db);
    this.jobTokenScope = new JobTokenScopeRepository(db);
    this.projectStatistics = new ProjectStatisticsRepository(db);
  }

  static over(handle: DatabaseHandle, options: { poolSize?: number } = {}): Store {
    // Each of the three lock kinds may pin a quarter of the pool; the rest serves the queries the locked work makes.
    return new Store(handle.db, handle.dialect, new AdvisoryLocks(handle.db, handle.dialect, Math.max(1, Math.floor((options.poolSize ?? 10) / 4))));
  }

  /** Runs `work` in one transaction; everything it writes commits together before the caller replies. */
  transaction<T>(work: (store: Store) => Promise<T>): Promise<T> {
    if (this.db.isTransaction) return work(this);
    return this.db.transaction().execute((trx) => work(new Store(trx, this.dialect, this.locks)));
  }
}
