import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './server.js';

/**
 * A PostgreSQL server of the test's own (initdb in a temporary folder, its own port), for tests that stop
 * and restart the database: the shared one on 5432 serves every other test running at the same time.
 * PostgreSQL refuses to run as root, so it runs as the `postgres` user when the tests run as root.
 */
export interface PrivatePostgres {
  url: string;
  restart(): void;
  stop(): void;
}

function binary(name: string): string {
  const root = '/usr/lib/postgresql';
  const versions = fs.existsSync(root) ? fs.readdirSync(root).sort((a, b) => Number(b) - Number(a)) : [];
  for (const version of versions) {
    const file = path.join(root, version, 'bin', name);
    if (fs.existsSync(file)) return file;
  }
  throw new Error(`${name} not found under ${root}`);
}

export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'conveyor-pg-'));
  const data = path.join(dir, 'data');
  const port = await freePort();
  const asRoot = process.getuid?.() === 0;
  if (asRoot) execFileSync('chown', ['-R', 'postgres:postgres', dir]);
  const run = (file: string, args: string[]) =>
    execFileSync(asRoot ? 'runuser' : file, asRoot ? ['-u', 'postgres', '--', file, ...args] : args, { stdio: 'pipe', cwd: dir });
  run(binary('initdb'), ['-D', data, '--auth=trust', '-U', 'postgres', '--no-sync']);
  const ctl = (action: string[]) =>
    run(binary('pg_ctl'), ['-D', data, '-l', path.join(dir, 'log'), '-w', '-t', '60', '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`, ...action]);
  ctl(['start']);
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    restart: () => ctl(['restart', '-m', 'fast']),
    stop() {
      try {
        ctl(['stop', '-m', 'immediate']);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
