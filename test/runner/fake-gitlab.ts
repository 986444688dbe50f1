import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Plays GitLab's side of the runner protocol (§1–§4 of the reference) so tests can drive the runner
 * through exact answers — 416s, Job-Status: canceling, 403s — that a real server gives only by timing.
 */

export interface Recorded {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  json?: any;
}

export interface FakeJob {
  payload: any;
  /** Server-side status; tests flip it to 'canceling' or 'canceled'. */
  status: string;
  trace: Buffer;
  updates: any[];
  final?: any;
}

type Override = (req: Recorded, res: http.ServerResponse) => boolean | Promise<boolean>;

export class FakeGitLab {
  readonly requests: Recorded[] = [];
  readonly jobs = new Map<number, FakeJob>();
  readonly queue: number[] = [];
  readonly uploads: Array<{ jobId: number; query: URLSearchParams; headers: http.IncomingHttpHeaders; body: Buffer }> = [];
  readonly downloads = new Map<number, Buffer>();
  /** Answered before the default behaviour; return true when handled. */
  overrides: Override[] = [];
  uploadStatus = 201;
  lastUpdate = 'v1';
  traceInterval: number | undefined;
  private server!: http.Server;
  url = '';

  static async start(): Promise<FakeGitLab> {
    const fake = new FakeGitLab();
    fake.server = http.createServer((req, res) => void fake.handle(req, res));
    await new Promise<void>((resolve) => fake.server.listen(0, '127.0.0.1', resolve));
    fake.url = `http://127.0.0.1:${(fake.server.address() as AddressInfo).port}`;
    return fake;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  addJob(payload: any): FakeJob {
    const job: FakeJob = { payload, status: 'pending', trace: Buffer.alloc(0), updates: [] };
    this.jobs.set(payload.id, job);
    this.queue.push(payload.id);
    return job;
  }

  async waitFor<T>(probe: () => T | undefined | false, what: string, timeoutMs = 20_000): Promise<T> {
    const until = Date.now() + timeoutMs;
    while (Date.now() < until) {
      const value = probe();
      if (value) return value;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error(`timed out waiting for ${what}`);
  }

  finished(id: number): Promise<FakeJob> {
    return this.waitFor(() => {
      const job = this.jobs.get(id);
      return job?.final ? job : undefined;
    }, `final update of job ${id}`, 60_000);
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const url = new URL(req.url ?? '/', 'http://x');
    const body = Buffer.concat(chunks);
    const recorded: Recorded = { method: req.method ?? '', path: url.pathname, query: url.searchParams, headers: req.headers, body };
    if ((req.headers['content-type'] ?? '').includes('json')) recorded.json = JSON.parse(body.toString('utf8'));
    this.requests.push(recorded);
    for (const override of this.overrides) if (await override(recorded, res)) return;
    this.route(recorded, res);
  }

  private json(res: http.ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}): void {
    res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
    res.end(JSON.stringify(value));
  }

  private jobHeaders(job: FakeJob): Record<string, string> {
    const headers: Record<string, string> = { 'Job-Status': job.status };
    if (this.traceInterval !== undefined) headers['X-GitLab-Trace-Update-Interval'] = String(this.traceInterval);
    return headers;
  }

  private route(req: Recorded, res: http.ServerResponse): void {
    const p = req.path;
    if (req.method === 'POST' && p === '/api/v4/jobs/request') {
      const id = this.queue.shift();
      if (id === undefined) {
        res.writeHead(204, { 'X-GitLab-Last-Update': this.lastUpdate });
        res.end();
        return;
      }
      const job = this.jobs.get(id)!;
      job.status = 'running';
      this.json(res, 201, job.payload);
      return;
    }
    let m = /^\/api\/v4\/jobs\/(\d+)$/.exec(p);
    if (m && req.method === 'PUT') {
      const job = this.jobs.get(Number(m[1]));
      if (!job || req.json?.token !== job.payload.token) return this.json(res, 403, { message: '403 Forbidden' });
      if (!['running', 'canceling'].includes(job.status)) return this.json(res, 403, { message: '403 Forbidden' }, this.jobHeaders(job));
      job.updates.push(req.json);
      if (req.json.state === 'success' || req.json.state === 'failed') {
        job.final = req.json;
        job.status = job.status === 'canceling' ? 'canceled' : req.json.state;
      }
      res.writeHead(200, { 'Content-Type': 'application/json', ...this.jobHeaders(job) });
      res.end('200');
      return;
    }
    m = /^\/api\/v4\/jobs\/(\d+)\/trace$/.exec(p);
    if (m && req.method === 'PATCH') {
      const job = this.jobs.get(Number(m[1]));
      if (!job || req.headers['job-token'] !== job.payload.token || !['running', 'canceling'].includes(job.status)) {
        res.writeHead(403, job ? { 'Job-Status': job.status } : {});
        res.end();
        return;
      }
      const range = /^(\d+)-(\d+)$/.exec(String(req.headers['content-range'] ?? ''));
      if (!range) return this.json(res, 400, { message: '400 Bad Request' });
      if (Number(range[1]) !== job.trace.length) {
        res.writeHead(416, { Range: `0-${job.trace.length}`, ...this.jobHeaders(job) });
        res.end();
        return;
      }
      job.trace = Buffer.concat([job.trace, req.body]);
      res.writeHead(202, { Range: `0-${job.trace.length}`, ...this.jobHeaders(job) });
      res.end();
      return;
    }
    m = /^\/api\/v4\/jobs\/(\d+)\/artifacts$/.exec(p);
    if (m && req.method === 'POST') {
      this.uploads.push({ jobId: Number(m[1]), query: req.query, headers: req.headers, body: req.body });
      return this.json(res, this.uploadStatus, this.uploadStatus === 201 ? {} : { message: String(this.uploadStatus) });
    }
    if (m && req.method === 'GET') {
      const data = this.downloads.get(Number(m[1]));
      if (!data) return this.json(res, 404, { message: '404 Not Found' });
      res.writeHead(200, { 'Content-Type': 'application/zip' });
      res.end(data);
      return;
    }
    if (req.method === 'POST' && p === '/api/v4/runners/verify') {
      if (req.json?.token !== 'glrt-good-token') return this.json(res, 403, { message: '403 Forbidden' });
      return this.json(res, 200, { id: 42, token: req.json.token, token_expires_at: null });
    }
    this.json(res, 404, { message: '404 Not Found' });
  }
}

let nextId = 1000;

/** A job payload in GitLab's shape that needs no git server (GIT_STRATEGY=none unless told otherwise). */
export function jobPayload(options: { script: string[]; afterScript?: string[]; variables?: any[]; timeout?: number; artifacts?: any[]; dependencies?: any[]; git?: any; features?: any }): any {
  const id = nextId++;
  const token = `glcbt-job-token-${id}-abcdef`;
  return {
    id,
    token,
    allow_git_fetch: true,
    job_info: { name: 'test', stage: 'test', project_id: 7, project_name: 'demo', project_full_path: 'acme/demo' },
    git_info: options.git ?? { repo_url: `http://gitlab-ci-token:${token}@127.0.0.1/acme/demo.git`, ref: 'main', sha: 'a'.repeat(40), ref_type: 'branch', refspecs: [], depth: 0 },
    runner_info: { timeout: options.timeout ?? 3600 },
    variables: [
      { key: 'CI_JOB_ID', value: String(id), public: true, masked: false },
      { key: 'CI_JOB_TOKEN', value: token, public: false, masked: true },
      ...(options.git ? [] : [{ key: 'GIT_STRATEGY', value: 'none', public: true, masked: false }]),
      ...(options.variables ?? []),
    ],
    steps: [
      { name: 'script', script: options.script, timeout: 3600, when: 'on_success', allow_failure: false },
      ...(options.afterScript ? [{ name: 'after_script', script: options.afterScript, timeout: 3600, when: 'always', allow_failure: true }] : []),
    ],
    artifacts: options.artifacts ?? [],
    dependencies: options.dependencies ?? [],
    features: options.features ?? { trace_sections: true, failure_reasons: ['unknown_failure', 'script_failure', 'job_execution_timeout', 'runner_system_failure'] },
  };
}
