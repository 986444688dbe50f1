import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig, type Config } from '../../src/config.js';
import { startServer, type RunningServer } from '../../src/server.js';
import { createPostgresDatabase, type TestDialect } from './databases.js';

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
  server: RunningServer;
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
  const server = await startServer({ ...config, ...options.config, port, externalUrl: `http://127.0.0.1:${port}` }, { log: false });
  const url = `http://127.0.0.1:${port}`;
  return {
    dialect,
    url,
    apiUrl: `${url}/api/v4`,
    dataDir,
    server,
    api: (method, p, o) => request(`${url}/api/v4`, method, p, o),
    async close() {
      await server.close();
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
