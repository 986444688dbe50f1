import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { createPostgresDatabase } from '../helpers/databases.js';

const BIN = path.resolve('bin/conveyor.cjs');

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

interface Started {
  child: ChildProcess;
  output: () => string;
  url: string;
}

/** Every child started, so that a failed test does not leave one running (and the file waiting for it). */
const children: ChildProcess[] = [];

async function startCli(args: string[], env: Record<string, string> = {}): Promise<Started> {
  const port = await freePort();
  const child = spawn(process.execPath, [BIN, ...args, '--port', String(port), '--log-level', 'warn'], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const url = `http://127.0.0.1:${port}`;
  for (let attempt = 0; attempt < 200; attempt++) {
    if (child.exitCode !== null) throw new Error(`conveyor exited: ${output}`);
    try {
      const res = await fetch(`${url}/-/readiness`);
      // `up` prints its banner once the built-in runner has started, which may come after the server listens.
      if (res.status === 200 && (args[0] !== 'up' || output.includes(' is running at '))) return { child, output: () => output, url };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  child.kill('SIGKILL');
  throw new Error(`conveyor did not become ready: ${output}`);
}

async function stop(started: Started): Promise<number | null> {
  const exited = new Promise<number | null>((resolve) => started.child.once('exit', (code) => resolve(code)));
  started.child.kill('SIGTERM');
  return exited;
}

describe('conveyor CLI', () => {
  const dirs: string[] = [];
  const tempDir = () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'conveyor-cli-'));
    dirs.push(dir);
    return dir;
  };
  after(() => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true }));
  });

  it('`up` on an empty folder creates root, prints the URL and token, and keeps data across restarts', async (tc) => {
    // Phase timings as diagnostics: under the full suite in CI this test has taken 75 s (4 s alone).
    let mark = Date.now();
    const phase = (name: string) => {
      tc.diagnostic(`${name}: ${Date.now() - mark} ms`);
      mark = Date.now();
    };
    const data = path.join(tempDir(), 'fresh');
    const first = await startCli(['up', '--data', data]);
    phase('first up ready');
    const tokenFile = path.join(data, 'initial_root_token');
    const token = fs.readFileSync(tokenFile, 'utf8').trim();
    assert.match(token, /^glpat-/);
    assert.equal(fs.statSync(tokenFile).mode & 0o777, 0o600);
    assert.ok(first.output().includes(token), 'the token is printed once');
    assert.ok(first.output().includes(first.url), 'the URL is printed');
    assert.ok(fs.existsSync(path.join(data, 'initial_root_password')));
    const created = await fetch(`${first.url}/api/v4/projects`, {
      method: 'POST',
      headers: { 'PRIVATE-TOKEN': token, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'kept' }),
    });
    assert.equal(created.status, 201);
    assert.equal(await stop(first), 0, 'SIGTERM shuts down cleanly');
    phase('first up stopped');

    const second = await startCli(['up', '--data', data]);
    phase('second up ready');
    assert.ok(!second.output().includes('Created the administrator'), 'root is created only once');
    const kept = await fetch(`${second.url}/api/v4/projects/root%2Fkept`, { headers: { 'PRIVATE-TOKEN': token } });
    assert.equal(kept.status, 200);
    await stop(second);
    phase('second up stopped');
  });

  it('takes the root token and password from CONVEYOR_ROOT_TOKEN / CONVEYOR_ROOT_PASSWORD and settings from env', async () => {
    const data = tempDir();
    const started = await startCli(['serve'], { CONVEYOR_DATA: data, CONVEYOR_ROOT_TOKEN: 'glpat-from-env-123', CONVEYOR_ROOT_PASSWORD: 'chosen-password', CONVEYOR_EXTERNAL_URL: 'https://ci.example.com/' });
    const me = await fetch(`${started.url}/api/v4/user`, { headers: { 'PRIVATE-TOKEN': 'glpat-from-env-123' } });
    const body = (await me.json()) as { web_url: string };
    assert.equal(body.web_url, 'https://ci.example.com/root');
    assert.ok(!fs.existsSync(path.join(data, 'initial_root_token')));
    assert.ok(!fs.existsSync(path.join(data, 'initial_root_password')));
    assert.ok(!started.output().includes('glpat-from-env-123'));
    await stop(started);
  });

  it('runs on PostgreSQL when CONVEYOR_DATABASE_URL is set, and `migrate` migrates', async () => {
    const db = await createPostgresDatabase();
    try {
      const migrate = spawnSync(process.execPath, [BIN, 'migrate'], { env: { ...process.env, CONVEYOR_DATABASE_URL: db.url, CONVEYOR_DATA: tempDir() }, encoding: 'utf8' });
      assert.equal(migrate.status, 0, migrate.stderr);
      const started = await startCli(['serve', '--data', tempDir()], { CONVEYOR_DATABASE_URL: db.url, CONVEYOR_ROOT_TOKEN: 'glpat-pg-root-token' });
      const me = await fetch(`${started.url}/api/v4/user`, { headers: { 'PRIVATE-TOKEN': 'glpat-pg-root-token' } });
      assert.equal(me.status, 200);
      await stop(started);
    } finally {
      await db.drop();
    }
  });

  it('prints useful help and refuses unknown flags', () => {
    const help = spawnSync(process.execPath, [BIN, '--help'], { encoding: 'utf8' });
    assert.equal(help.status, 0);
    for (const command of ['up', 'serve', 'migrate']) assert.match(help.stdout, new RegExp(`\\b${command}\\b`));
    const serveHelp = spawnSync(process.execPath, [BIN, 'serve', '--help'], { encoding: 'utf8' });
    for (const flag of ['--port', '--host', '--data', '--external-url', '--database-url']) assert.ok(serveHelp.stdout.includes(flag), flag);
    const unknown = spawnSync(process.execPath, [BIN, 'serve', '--colour'], { encoding: 'utf8' });
    assert.notEqual(unknown.status, 0);
    assert.match(unknown.stderr, /unknown option '--colour'/);
    const badPort = spawnSync(process.execPath, [BIN, 'serve', '--port', 'eighty'], { encoding: 'utf8' });
    assert.notEqual(badPort.status, 0);
    assert.match(badPort.stderr, /--port must be a port number/);
  });
});
