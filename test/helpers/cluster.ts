import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { RUNNER_INFO } from './runners.js';
import { freePort, ROOT_TOKEN } from './server.js';

const BIN = path.resolve('bin/conveyor.cjs');

/** A real `conveyor serve` process. */
export interface ConveyorProcess {
  url: string;
  child: ChildProcess;
  output(): string;
  /** SIGKILL: no shutdown of any kind. */
  kill9(): Promise<void>;
  /** SIGTERM and wait for the exit. */
  stop(): Promise<number | null>;
}

/** Without `databaseUrl`, on SQLite in the data folder (one process only). */
export async function startConveyorProcess(options: { databaseUrl?: string; dataDir: string; args?: string[] }): Promise<ConveyorProcess> {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [BIN, 'serve', '--port', String(port), ...(options.databaseUrl ? ['--database-url', options.databaseUrl] : []), '--data', options.dataDir, '--log-level', 'warn', ...(options.args ?? [])],
    { env: { ...process.env, CONVEYOR_ROOT_TOKEN: ROOT_TOKEN }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const url = `http://127.0.0.1:${port}`;
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  for (let attempt = 0; ; attempt++) {
    if (child.exitCode !== null || attempt > 600) {
      child.kill('SIGKILL');
      throw new Error(`conveyor serve did not become ready: ${output}`);
    }
    try {
      if ((await fetch(`${url}/-/readiness`)).status === 200) break;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url,
    child,
    output: () => output,
    async kill9() {
      child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      if (child.exitCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      return exited;
    },
  };
}

export interface RunJobResult {
  id: number;
  log: string;
}

/**
 * A minimal runner that fails over between server processes the way a runner behind a load balancer
 * does: any call that gets no answer (or a 5xx) is repeated against the next process. It takes jobs,
 * writes a short log in two patches, and reports success.
 */
export class FailoverRunner {
  private next = 0;
  constructor(
    private readonly urls: () => string[],
    private readonly token: string,
    private readonly systemId: string,
    start = 0,
  ) {
    this.next = start;
  }

  private async call(pathname: string, init: RequestInit, retries = 100): Promise<Response> {
    for (let attempt = 0; ; attempt++) {
      const urls = this.urls();
      const base = urls[this.next % urls.length];
      try {
        const response = await fetch(`${base}/api/v4${pathname}`, { ...init, signal: AbortSignal.timeout(15_000) });
        if (response.status < 500) return response;
        await response.arrayBuffer();
      } catch {
        // that process is gone or stuck: go on with the next
      }
      if (attempt >= retries) throw new Error(`${pathname}: no process answered`);
      this.next++;
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Takes one job and runs it; null when the queue had nothing for it. */
  async runOne(): Promise<RunJobResult | null> {
    const answer = await this.call('/jobs/request', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: this.token, system_id: this.systemId, info: RUNNER_INFO }),
    });
    if (answer.status !== 201) {
      await answer.arrayBuffer();
      if (answer.status === 204) return null;
      throw new Error(`job request answered ${answer.status}`);
    }
    const job = (await answer.json()) as { id: number; token: string };
    const log = `job ${job.id} starts\njob ${job.id} ends\n`;
    // Two patches; the server's `Range` says how much it holds, so a lost answer costs a resend, never a byte.
    let stored = 0;
    for (const end of [log.indexOf('\n') + 1, log.length]) {
      while (stored < end) {
        const response = await this.call(`/jobs/${job.id}/trace`, {
          method: 'PATCH',
          headers: { 'JOB-TOKEN': job.token, 'Content-Range': `${stored}-${end - 1}` },
          body: log.slice(stored, end),
        });
        await response.arrayBuffer();
        if (response.status !== 202 && response.status !== 416) throw new Error(`trace patch answered ${response.status}`);
        stored = Number(response.headers.get('range')?.split('-')[1] ?? stored);
      }
    }
    const done = await this.call(`/jobs/${job.id}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', 'JOB-TOKEN': job.token },
      body: JSON.stringify({ token: job.token, state: 'success', output: { bytesize: log.length } }),
    });
    await done.arrayBuffer();
    // An update that took effect on a process that died before answering: the repeat hears 403 with the final status.
    const alreadyDone = done.status === 403 && done.headers.get('job-status') === 'success';
    if (done.status !== 200 && !alreadyDone) throw new Error(`final update answered ${done.status}`);
    return { id: job.id, log };
  }
}
