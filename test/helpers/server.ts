import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig, type Config } from '../../src/config.js';
import { startServer, type RunningServer } from '../../src/server.js';
import { createPostgresDatabase, PAIR_MODE, type TestDialect } from './databases.js';
import { startRoundRobinProxy } from './process-pair.js';

export const ROOT_TOKEN = 'glpat-test-root-token-0001';
export const ROOT_PASSWORD = 'root-password-for-tests';

export interface ApiResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

export interface RequestOptions {
  token?: string | null;
  body?: unknown;
  rawBody?: string;
  headers?: Record<string, string>;
}

export interface TestServer {
  dialect: TestDialect;
  url: string;
  apiUrl: string;
  dataDir: string;
  /** In pair mode (`CONVEYOR_TEST_PAIR=1`), the first of the two servers. */
  server: RunningServer;
  /** Every server behind `url`: one, or two in pair mode (events and clocks are per server). */
  servers: RunningServer[];
  /** Sends a request with the root token unless `token` says otherwise (null = anonymous). */
  api<T = any>(method: string, path: string, options?: RequestOptions): Promise<ApiResponse<T>>;
  close(): Promise<void>;
}

export async function startTestServer(
  dialect: TestDialect,
  options: { dataDir?: string; databaseUrl?: string; config?: Partial<Pick<Config, 'jobsApiRateLimit' | 'databasePoolSize' | 'longPollSeconds'>> } = {},
): Promise<TestServer> {
  const dataDir = options.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'conveyor-test-'));
  const database = dialect === 'postgres' && !options.databaseUrl ? await createPostgresDatabase() : null;
  const config = loadConfig(
    { port: 0, host: '127.0.0.1', data: dataDir, databaseUrl: options.databaseUrl ?? database?.url, logLevel: 'silent' },
    { CONVEYOR_ROOT_TOKEN: ROOT_TOKEN, CONVEYOR_ROOT_PASSWORD: ROOT_PASSWORD },
  );
  // The external URL must name the real port, which is known only after listening: start on
  // a free port found first.
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const settings = { ...config, ...options.config, externalUrl: url };
  // A test that brings its own database builds its own deployment (test/scale); the others, in pair mode,
  // talk to two servers through a round-robin proxy on the port they were told about.
  const pair = PAIR_MODE && dialect === 'postgres' && !options.databaseUrl;
  const server = await startServer({ ...settings, port: pair ? 0 : port }, { log: false });
  const second = pair ? await startServer({ ...settings, port: 0 }, { log: false }) : null;
  const proxy = second ? await startRoundRobinProxy(port, [server.url, second.url]) : null;
  return {
    dialect,
    url,
    apiUrl: `${url}/api/v4`,
    dataDir,
    server,
    servers: second ? [server, second] : [server],
    api: (method, p, o) => request(`${url}/api/v4`, method, p, o),
    async close() {
      await proxy?.close();
      await Promise.all([server.close(), second?.close()]);
      await database?.drop();
      if (!options.dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export async function request<T = any>(base: string, method: string, p: string, options: RequestOptions = {}): Promise<ApiResponse<T>> {
  const headers: Record<string, string> = { ...(options.headers ?? {}) };
  const token = options.token === undefined ? ROOT_TOKEN : options.token;
  if (token !== null) headers['PRIVATE-TOKEN'] = token;
  let body: string | undefined;
  if (options.rawBody !== undefined) body = options.rawBody;
  else if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers['content-type'] ??= 'application/json';
  }
  const response = await fetch(p.startsWith('http') ? p : base + p, { method, headers, body });
  const text = await response.text();
  let parsed: unknown = text;
  if ((response.headers.get('content-type') ?? '').startsWith('application/json') && text !== '') parsed = JSON.parse(text);
  return { status: response.status, headers: response.headers, body: parsed as T, text };
}

export async function freePort(): Promise<number> {
  const net = await import('node:net');
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      srv.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** Moves every server's clock `ms` ahead of real time; returns the function that puts the clocks back. */
export function shiftClocks(t: TestServer, ms: number): () => void {
  const saved = t.servers.map((s) => s.app.ctx.clock);
  for (const s of t.servers) s.app.ctx.clock = { now: () => new Date(Date.now() + ms) };
  return () => t.servers.forEach((s, i) => (s.app.ctx.clock = saved[i]));
}
