import { Command, Option } from 'commander';
import { loadConfig, type ConfigInput } from '../config.js';
import { startServer, openStore, type RunningServer } from '../server.js';
import { CONVEYOR_VERSION } from '../version.js';
import type { Runner } from '../runner/index.js';
import { registrationToken } from '../services/runners/runner-tokens.js';
import { startBuiltInRunner } from './built-in-runner.js';
import { createExampleProject } from './example-project.js';
import { registerRunnerCommand } from './runner-command.js';
import { Store } from '../store/store.js';

function serverOptions(command: Command): Command {
  return command
    .addOption(new Option('-p, --port <port>', 'port to listen on (env CONVEYOR_PORT, default 8080)'))
    .addOption(new Option('-H, --host <host>', 'address to bind (env CONVEYOR_HOST, default 127.0.0.1)'))
    .addOption(new Option('-d, --data <dir>', 'data folder: SQLite file, logs, artifacts, repositories (env CONVEYOR_DATA, default ./conveyor-data)'))
    .addOption(new Option('--external-url <url>', 'URL clients reach the server at, used in web_url and Link headers (env CONVEYOR_EXTERNAL_URL)'))
    .addOption(new Option('--database-url <url>', 'postgres:// URL; unset means SQLite in the data folder (env CONVEYOR_DATABASE_URL)'))
    .addOption(new Option('--database-pool-size <n>', 'PostgreSQL connections per process (env CONVEYOR_DATABASE_POOL_SIZE, default 10)'))
    .addOption(new Option('--log-level <level>', 'pino log level (env CONVEYOR_LOG_LEVEL, default info)'))
    .addOption(new Option('--long-poll <seconds>', 'hold an idle runner\'s job request open this long waiting for a job (env CONVEYOR_LONG_POLL, default 50)'))
    .addOption(new Option('--stuck-timeout <seconds>', 'a pending job no runner takes within this time fails as stuck (env CONVEYOR_STUCK_TIMEOUT, default 3600)'))
    .addOption(new Option('--blobs-dir <dir>', 'logs and artifacts; shared by every server process (env CONVEYOR_BLOBS_DIR, default <data>/blobs)'))
    .addOption(new Option('--jobs-api-rate-limit <n>', 'GET /projects/:id/jobs requests per minute and user, 0 = off (env CONVEYOR_JOBS_API_RATE_LIMIT, default 600)'));
}

interface UpOptions extends ConfigInput {
  runner?: boolean;
  example?: boolean;
  concurrent?: string;
}

function handleSignals(server: RunningServer, runner: Runner | null): void {
  const stop = async () => {
    // The runner reports its interrupted jobs while the server can still hear it.
    await runner?.stop({ graceful: false });
    await server.close();
    process.exit(0);
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

async function serve(input: UpOptions, banner: boolean): Promise<void> {
  const config = loadConfig(input);
  const server = await startServer(config);
  const withRunner = banner && input.runner !== false;
  const concurrent = Number(input.concurrent ?? 2);
  if (!Number.isInteger(concurrent) || concurrent < 1) throw new Error('--concurrent must be a positive whole number');
  const runner = withRunner ? await startBuiltInRunner(server, { dataDir: config.dataDir, concurrent, logger: server.app.log }) : null;
  handleSignals(server, runner);
  if (server.rootCredentials) {
    const creds = server.rootCredentials;
    const tokenNote = config.rootToken ? 'from CONVEYOR_ROOT_TOKEN' : `${creds.token}  (also in ${config.dataDir}/initial_root_token)`;
    process.stdout.write(`\nCreated the administrator "root".\n  personal access token: ${tokenNote}\n`);
    if (creds.passwordGenerated) process.stdout.write(`  password: ${creds.password}  (also in ${config.dataDir}/initial_root_password)\n`);
  }
  if (banner) {
    const registration = await registrationToken(server.app.ctx);
    process.stdout.write(
      `\nConveyor ${CONVEYOR_VERSION} is running at ${config.externalUrl}\n` +
        `  API:      ${config.externalUrl}/api/v4\n` +
        `  data:     ${config.dataDir} (${config.databaseUrl ? 'PostgreSQL' : 'SQLite'})\n` +
        `  runner:   ${runner ? `built-in, ${concurrent} jobs at once, untagged jobs` : 'none started (--no-runner)'}\n` +
        `  runners:  register more with  gitlab-runner register --url ${config.externalUrl} --registration-token ${registration}\n` +
        `  sign in:  send the root token as PRIVATE-TOKEN, e.g.\n` +
        `            curl -H "PRIVATE-TOKEN: <token>" ${config.externalUrl}/api/v4/user\n\n` +
        `Try it: create a project, push a repository with a .gitlab-ci.yml, watch its jobs:\n` +
        `  curl -H "PRIVATE-TOKEN: <token>" -X POST "${config.externalUrl}/api/v4/projects?name=demo"\n` +
        `  git push http://root:<token>@${new URL(config.externalUrl).host}/root/demo.git main\n` +
        `  curl -H "PRIVATE-TOKEN: <token>" ${config.externalUrl}/api/v4/projects/root%2Fdemo/jobs\n\n`,
    );
    if (server.rootCredentials && input.example !== false) {
      const example = await createExampleProject(server.url, server.rootCredentials.token).catch((error: unknown) => {
        process.stderr.write(`conveyor: the example project could not be created: ${error instanceof Error ? error.message : String(error)}\n`);
        return null;
      });
      if (example) process.stdout.write(`Created the example project ${example}; its pipeline is running now.\n\n`);
    }
  }
}

const program = new Command('conveyor')
  .description('A self-hosted CI server that speaks GitLab\'s REST v4 API')
  .version(CONVEYOR_VERSION)
  .showHelpAfterError('(run with --help for usage)');

serverOptions(program.command('up').description('run the server and the built-in runner beside it; what `npm start` runs'))
  .addOption(new Option('--concurrent <n>', 'jobs the built-in runner runs at once (default 2)'))
  .addOption(new Option('--no-runner', 'do not start the built-in runner'))
  .addOption(new Option('--no-example', 'do not create the example project root/hello on a new data folder'))
  .action((opts: UpOptions) => serve(opts, true));

serverOptions(program.command('serve').description('run the API server only'))
  .action((opts: ConfigInput) => serve(opts, false));

program
  .command('migrate')
  .description('bring the database schema up to date and exit')
  .addOption(new Option('-d, --data <dir>', 'data folder (env CONVEYOR_DATA)'))
  .addOption(new Option('--database-url <url>', 'postgres:// URL (env CONVEYOR_DATABASE_URL)'))
  .action(async (opts: ConfigInput) => {
    const handle = await openStore(loadConfig(opts));
    await handle.close();
    process.stdout.write('database is up to date\n');
  });

program
  .command('refresh-artifacts-size')
  .description("recount the job artifacts' size of projects (GitLab's gitlab:refresh_project_statistics_build_artifacts_size); a running server does the recount, and refuses to remove their artifacts until it ends")
  .argument('<projects...>', 'project ids or full paths')
  .addOption(new Option('-d, --data <dir>', 'data folder (env CONVEYOR_DATA)'))
  .addOption(new Option('--database-url <url>', 'postgres:// URL (env CONVEYOR_DATABASE_URL)'))
  .action(async (projects: string[], opts: ConfigInput) => {
    const handle = await openStore(loadConfig(opts));
    try {
      const store = new Store(handle.db, handle.dialect);
      const ids: number[] = [];
      for (const name of projects) {
        const project = /^\d+$/.test(name) ? (Number(name) < 2 ** 31 ? await store.projects.findById(Number(name)) : undefined) : await store.projects.findByFullPath(name);
        if (!project) throw new Error(`project ${name} not found`);
        ids.push(project.id);
      }
      const queued = await store.projectStatistics.enqueueRefresh([...new Set(ids)], new Date().toISOString());
      process.stdout.write(`recount queued for ${queued.length} project(s)${queued.length < new Set(ids).size ? ' (the others were already queued)' : ''}\n`);
    } finally {
      await handle.close();
    }
  });

registerRunnerCommand(program);

program.parseAsync(process.argv).catch((error: unknown) => {
  process.stderr.write(`conveyor: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
