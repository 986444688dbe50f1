import fs from 'node:fs';
import path from 'node:path';
import { Command, Option } from 'commander';
import { pino } from 'pino';
import { generateSystemId, Runner, verifyRunner } from '../runner/index.js';

interface RunOptions {
  url: string;
  token: string;
  concurrent?: string;
  buildsDir: string;
  systemId?: string;
  logLevel?: string;
}

/** gitlab-runner keeps the machine's id in `.runner_system_id`; we keep it in the builds dir. */
function persistedSystemId(buildsDir: string): string {
  const file = path.join(buildsDir, '.runner_system_id');
  try {
    const existing = fs.readFileSync(file, 'utf8').trim();
    if (/^s_[0-9a-f]{12}$/.test(existing)) return existing;
  } catch {
    // first start
  }
  const id = generateSystemId();
  fs.mkdirSync(buildsDir, { recursive: true });
  fs.writeFileSync(file, `${id}\n`);
  return id;
}

function positiveInt(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive integer`);
  return n;
}

async function run(opts: RunOptions): Promise<void> {
  const buildsDir = path.resolve(opts.buildsDir);
  const logger = pino({ level: opts.logLevel ?? 'info' });
  const runner = new Runner({
    url: opts.url,
    token: opts.token,
    concurrent: positiveInt(opts.concurrent, '--concurrent'),
    buildsDir,
    systemId: opts.systemId ?? persistedSystemId(buildsDir),
    logger,
  });
  runner.start();
  await new Promise<void>((resolve) => {
    let stopping = false;
    // As gitlab-runner: SIGQUIT lets running jobs finish, SIGINT/SIGTERM interrupt them; a second signal exits.
    const stop = (graceful: boolean) => () => {
      if (stopping) process.exit(1);
      stopping = true;
      logger.info({ graceful }, 'stopping the runner');
      void runner.stop({ graceful }).then(resolve);
    };
    process.on('SIGQUIT', stop(true));
    process.on('SIGINT', stop(false));
    process.on('SIGTERM', stop(false));
  });
}

export function registerRunnerCommand(program: Command): void {
  const runner = program.command('runner').description('the built-in runner (speaks the gitlab-runner protocol to any compatible server)');
  runner
    .command('run')
    .description('poll the server for jobs and run them with the shell executor')
    .requiredOption('--url <url>', 'server URL, e.g. http://127.0.0.1:8080')
    .requiredOption('--token <token>', 'runner authentication token (glrt-…)')
    .addOption(new Option('--concurrent <n>', 'jobs at once (default 2)'))
    .addOption(new Option('--builds-dir <dir>', 'where job working directories go').default('./builds'))
    .addOption(new Option('--system-id <id>', 'machine id (s_ + 12 hex); default: kept in <builds-dir>/.runner_system_id'))
    .addOption(new Option('--log-level <level>', 'pino log level').default('info'))
    .action((opts: RunOptions) => run(opts));
  runner
    .command('register')
    .description('check a runner authentication token with POST /api/v4/runners/verify and print the runner id')
    .requiredOption('--url <url>', 'server URL')
    .requiredOption('--token <token>', 'runner authentication token (glrt-…)')
    .addOption(new Option('--system-id <id>', 'machine id (s_ + 12 hex)'))
    .action(async (opts: { url: string; token: string; systemId?: string }) => {
      const verified = await verifyRunner(opts.url, opts.token, opts.systemId ?? generateSystemId());
      process.stdout.write(`Runner verified: id ${verified.id}\nRun it with: conveyor runner run --url ${opts.url} --token <token>\n`);
    });
}
