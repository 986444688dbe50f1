import { spawn } from 'node:child_process';
import { PassThrough, type Readable } from 'node:stream';
import { GitCommandError } from './errors.js';
import { gitEnvironment } from './process.js';

export interface HttpBackendRequest {
  /** GIT_PROJECT_ROOT: the folder holding `<id>.git` repositories. */
  projectRoot: string;
  /** `/<id>.git/info/refs`, `/<id>.git/git-upload-pack`, ... — built by the server, never taken from the URL. */
  pathInfo: string;
  method: 'GET' | 'POST';
  queryString: string;
  contentType?: string;
  /** `gzip` when git compressed the request; http-backend inflates it itself. */
  contentEncoding?: string;
  /** The `Git-Protocol` header (`version=2`). */
  gitProtocol?: string;
  /** Set for authenticated callers; http-backend serves receive-pack only when it is. */
  remoteUser?: string;
  remoteAddr?: string;
  body?: Readable;
  /** More variables for the hooks. */
  env?: Record<string, string>;
}

export interface HttpBackendResponse {
  status: number;
  headers: Record<string, string>;
  /** The response body after the CGI headers, streamed as git writes it. */
  body: Readable;
  /** Settles when git has exited, with its exit code and the start of its stderr. */
  exited: Promise<{ code: number | null; stderr: string }>;
  kill(): void;
}

const MAX_HEADER_BYTES = 64 * 1024;

/** `Status: 403 Forbidden` and `Name: value` lines, as CGI defines them. */
function parseCgiHeaders(text: string): { status: number; headers: Record<string, string> } {
  let status = 200;
  const headers: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim();
    const value = line.slice(colon + 1).trim();
    if (name.toLowerCase() === 'status') status = Number.parseInt(value, 10) || 500;
    else headers[name.toLowerCase()] = value;
  }
  return { status, headers };
}

/** Where the header block ends and the body begins (CGI allows LF or CRLF line ends), or null. */
function headerEnd(buffer: Buffer): { headerLength: number; bodyStart: number } | null {
  const crlf = buffer.indexOf('\r\n\r\n');
  const lf = buffer.indexOf('\n\n');
  if (crlf !== -1 && (lf === -1 || crlf < lf)) return { headerLength: crlf, bodyStart: crlf + 4 };
  if (lf !== -1) return { headerLength: lf, bodyStart: lf + 2 };
  return null;
}

/**
 * Runs `git http-backend` as a CGI program: the request body streams into it and its body streams
 * out, so packs of any size pass through without being held in memory.
 */
export function runHttpBackend(request: HttpBackendRequest): Promise<HttpBackendResponse> {
  const env = gitEnvironment({
    ...request.env,
    GIT_PROJECT_ROOT: request.projectRoot,
    GIT_HTTP_EXPORT_ALL: '1',
    PATH_INFO: request.pathInfo,
    REQUEST_METHOD: request.method,
    QUERY_STRING: request.queryString,
    ...(request.contentType ? { CONTENT_TYPE: request.contentType } : {}),
    ...(request.contentEncoding ? { HTTP_CONTENT_ENCODING: request.contentEncoding } : {}),
    ...(request.gitProtocol ? { HTTP_GIT_PROTOCOL: request.gitProtocol } : {}),
    ...(request.remoteUser ? { REMOTE_USER: request.remoteUser } : {}),
    ...(request.remoteAddr ? { REMOTE_ADDR: request.remoteAddr } : {}),
  });
  const child = spawn('git', ['http-backend'], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  const stderr: Buffer[] = [];
  child.stderr.on('data', (chunk: Buffer) => {
    if (stderr.length < 64) stderr.push(chunk);
  });
  const exited = new Promise<{ code: number | null; stderr: string }>((resolve) => {
    child.on('close', (code) => resolve({ code, stderr: Buffer.concat(stderr).toString('utf8') }));
    child.on('error', (error) => resolve({ code: null, stderr: error.message }));
  });
  // http-backend may stop reading early (a refused request); the rest of the body is then dropped.
  child.stdin.on('error', () => {});
  if (request.body) {
    const body = request.body;
    // A client that goes away mid-upload never ends the body (node reports an `error`, or only a
    // `close`); git must then see EOF, or it waits forever holding the push lock.
    const cutOff = () => {
      if (!body.readableEnded) child.stdin.destroy();
    };
    body.on('error', () => child.stdin.destroy());
    body.on('close', cutOff);
    // The client may have gone while the push waited for the repository's lock: its `close` came before us.
    if (body.destroyed) cutOff();
    body.pipe(child.stdin);
  } else {
    child.stdin.end();
  }

  return new Promise((resolve, reject) => {
    let pending: Buffer = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      const end = headerEnd(pending);
      if (!end) {
        if (pending.length > MAX_HEADER_BYTES) fail('CGI headers too large');
        return;
      }
      child.stdout.off('data', onData);
      child.stdout.off('end', onEnd);
      child.stdout.pause();
      const { status, headers } = parseCgiHeaders(pending.subarray(0, end.headerLength).toString('latin1'));
      const body = new PassThrough();
      if (end.bodyStart < pending.length) body.write(pending.subarray(end.bodyStart));
      child.stdout.pipe(body);
      resolve({ status, headers, body, exited, kill: () => child.kill('SIGKILL') });
    };
    const onEnd = () => fail('git http-backend ended before sending headers');
    const fail = (reason: string) => {
      child.stdout.off('data', onData);
      child.kill('SIGKILL');
      void exited.then((result) => reject(new GitCommandError(['http-backend'], result.code, `${reason}: ${result.stderr}`)));
    };
    child.stdout.on('data', onData);
    child.stdout.on('end', onEnd);
  });
}
