import { randomBytes } from 'node:crypto';
import { Backoff, serverDelay, sleep } from './backoff.js';
import { userAgent } from './runner-info.js';

export interface ApiResponse {
  status: number;
  headers: Headers;
  text: string;
}

export interface CallOptions {
  json?: unknown;
  /** A raw body (text or bytes); `contentType` names it. */
  body?: string | Uint8Array;
  contentType?: string;
  headers?: Record<string, string>;
  jobToken?: string;
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Retry 408/429/5xx like gitlab-runner's retry requester (default true). */
  retry?: boolean;
}

/** Statuses gitlab-runner's retry requester repeats the same request on. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status === 500 || status === 502 || status === 503 || status === 504 || status >= 512;
}

const RETRY_ATTEMPTS = 5;
const DEFAULT_TIMEOUT = 5 * 60_000;

export function requestId(): string {
  return randomBytes(16).toString('hex');
}

export function combineSignals(...signals: Array<AbortSignal | undefined>): AbortSignal | undefined {
  const present = signals.filter((s): s is AbortSignal => s !== undefined);
  if (present.length <= 1) return present[0];
  return AbortSignal.any(present);
}

/** The runner's only way to the server: HTTP to `<url>/api/v4/`, the headers gitlab-runner sends. */
export class ApiClient {
  private readonly agent = userAgent();

  constructor(readonly baseUrl: string) {}

  url(path: string): string {
    return new URL(path.replace(/^\//, ''), this.baseUrl).toString();
  }

  headers(options: Pick<CallOptions, 'headers' | 'jobToken'> = {}): Record<string, string> {
    const headers: Record<string, string> = { 'User-Agent': this.agent, 'X-Request-Id': requestId(), ...options.headers };
    if (options.jobToken !== undefined) headers['JOB-TOKEN'] = options.jobToken;
    return headers;
  }

  async request(method: string, path: string, options: CallOptions = {}): Promise<ApiResponse> {
    const backoff = new Backoff();
    for (let attempt = 1; ; attempt++) {
      const response = await this.once(method, path, options);
      if (options.retry === false || !isRetryableStatus(response.status) || attempt >= RETRY_ATTEMPTS || options.signal?.aborted) return response;
      await sleep(serverDelay(response.headers) ?? backoff.next(), options.signal);
    }
  }

  /** One attempt; throws on network errors and timeouts. */
  async once(method: string, path: string, options: CallOptions = {}): Promise<ApiResponse> {
    const headers = this.headers(options);
    let body: string | Uint8Array | undefined;
    if (options.json !== undefined) {
      body = JSON.stringify(options.json);
      headers['Content-Type'] = 'application/json';
      headers.Accept = 'application/json';
    } else if (options.body !== undefined) {
      body = options.body;
      if (options.contentType) headers['Content-Type'] = options.contentType;
    }
    const signal = combineSignals(AbortSignal.timeout(options.timeoutMs ?? DEFAULT_TIMEOUT), options.signal);
    const response = await fetch(this.url(path), { method, headers, body: body as BodyInit | undefined, signal });
    const text = await response.text();
    return { status: response.status, headers: response.headers, text };
  }
}

export function parseJson<T>(response: ApiResponse): T | undefined {
  if (!(response.headers.get('content-type') ?? '').includes('json')) return undefined;
  try {
    return JSON.parse(response.text) as T;
  } catch {
    return undefined;
  }
}
