/**
 * Raw HTTP/1.1 transport for the malformed-request test: sends requests the way a hostile client
 * would, through node's `http` client where it cooperates and a bare socket where it does not, and
 * reports what came back (or that nothing did) without ever throwing.
 */
import http from 'node:http';
import net from 'node:net';

const REQUEST_TIMEOUT_MS = 10_000;

/**
 * One request. `http` requests go through `http.request` (path and header values are latin1
 * strings, so bytes 0x80-0xff, i.e. invalid UTF-8, can be sent); `raw` requests are exact bytes
 * written to a socket, for what `http` refuses (spaces and control bytes, bad framing...).
 */
export type FuzzRequest =
  | { kind: 'http'; label: string; method: string; path: string; headers: Array<[string, string]>; body?: Buffer; chunked?: boolean }
  | { kind: 'raw'; label: string; bytes: Buffer };

export interface FuzzResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** Answered by node's HTTP parser (or a raw socket), not necessarily by the app. */
  via: 'http' | 'raw';
}

export type Outcome = { kind: 'response'; response: FuzzResponse } | { kind: 'no-response'; reason: string };

export function sendHttp(port: number, req: Extract<FuzzRequest, { kind: 'http' }>): Promise<Outcome> {
  return new Promise((resolve) => {
    const flat: string[] = [];
    for (const [k, v] of req.headers) flat.push(k, v);
    let settled = false;
    const done = (o: Outcome) => {
      if (settled) return;
      settled = true;
      resolve(o);
    };
    let request: http.ClientRequest;
    try {
      request = http.request({
        host: '127.0.0.1',
        port,
        method: req.method,
        path: req.path,
        headers: flat,
        agent: false,
        setHost: false,
        insecureHTTPParser: true,
      });
    } catch (error) {
      // http refused to send it (a test bug rather than a server one): say so loudly.
      done({ kind: 'no-response', reason: `client refused to send: ${(error as Error).message}` });
      return;
    }
    request.setTimeout(REQUEST_TIMEOUT_MS, () => {
      request.destroy(new Error(`timeout after ${REQUEST_TIMEOUT_MS} ms`));
    });
    request.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', (error) => done({ kind: 'no-response', reason: `response stream error after status ${res.statusCode}: ${error.message}` }));
      res.on('end', () => {
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : v;
        done({ kind: 'response', response: { status: res.statusCode ?? 0, headers, body: Buffer.concat(chunks).toString('utf8'), via: 'http' } });
      });
    });
    request.on('error', (error: NodeJS.ErrnoException) => done({ kind: 'no-response', reason: `${error.code ?? ''} ${error.message}`.trim() }));
    if (req.body !== undefined && req.body.length > 0) {
      if (req.chunked) {
        // Two chunks, so the server really sees chunked framing.
        const half = Math.floor(req.body.length / 2);
        request.write(req.body.subarray(0, half));
        request.write(req.body.subarray(half));
      } else {
        request.write(req.body);
      }
    }
    request.end();
  });
}

/** Parses the first final (non-1xx) response out of everything a raw socket received. */
export function parseRawResponse(data: Buffer): FuzzResponse | null {
  let rest = data;
  for (;;) {
    const end = rest.indexOf('\r\n\r\n');
    if (end < 0) return null;
    const head = rest.subarray(0, end).toString('latin1').split('\r\n');
    const match = /^HTTP\/\d\.\d (\d{3})/.exec(head[0]);
    if (!match) return null;
    const status = Number(match[1]);
    const headers: Record<string, string> = {};
    for (const line of head.slice(1)) {
      const colon = line.indexOf(':');
      if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
    let body = rest.subarray(end + 4);
    if (status < 200) {
      rest = body;
      continue;
    }
    if (/chunked/i.test(headers['transfer-encoding'] ?? '')) {
      const parts: Buffer[] = [];
      let at = 0;
      for (;;) {
        const lineEnd = body.indexOf('\r\n', at);
        if (lineEnd < 0) break;
        const size = Number.parseInt(body.subarray(at, lineEnd).toString('latin1'), 16);
        if (!Number.isFinite(size) || size === 0) break;
        parts.push(body.subarray(lineEnd + 2, lineEnd + 2 + size));
        at = lineEnd + 2 + size + 2;
      }
      body = Buffer.concat(parts);
    } else if (headers['content-length'] !== undefined) {
      body = body.subarray(0, Number(headers['content-length']));
    }
    return { status, headers, body: body.toString('utf8'), via: 'raw' };
  }
}

export function sendRaw(port: number, req: Extract<FuzzRequest, { kind: 'raw' }>): Promise<Outcome> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const socket = net.connect(port, '127.0.0.1');
    let settled = false;
    const finish = (reason?: string) => {
      if (settled) return;
      settled = true;
      socket.destroy();
      const data = Buffer.concat(chunks);
      const parsed = parseRawResponse(data);
      if (parsed) resolve({ kind: 'response', response: parsed });
      else resolve({ kind: 'no-response', reason: reason ?? (data.length ? `unparseable reply ${JSON.stringify(data.toString('latin1').slice(0, 200))}` : 'connection closed without a reply') });
    };
    socket.setTimeout(REQUEST_TIMEOUT_MS / 2, () => finish(`no complete reply within ${REQUEST_TIMEOUT_MS / 2} ms`));
    socket.on('data', (c: Buffer) => {
      chunks.push(c);
      // A complete reply is enough: a server keeping the socket open must not stall the test.
      const parsed = parseRawResponse(Buffer.concat(chunks));
      if (parsed) {
        const declared = parsed.headers['content-length'];
        if (declared === undefined || Buffer.byteLength(parsed.body) >= Number(declared)) finish();
      }
    });
    socket.on('end', () => finish());
    socket.on('close', () => finish());
    socket.on('error', (error: NodeJS.ErrnoException) => {
      // A reset after the reply was received is fine; finish() looks at what arrived.
      finish(chunks.length ? undefined : `${error.code ?? ''} ${error.message}`.trim());
    });
    socket.write(req.bytes);
  });
}

/** The bytes `http.request` writes for a request, for replaying it over a raw socket. */
export function toRaw(req: Extract<FuzzRequest, { kind: 'http' }>): Extract<FuzzRequest, { kind: 'raw' }> {
  const head = [`${req.method} ${req.path} HTTP/1.1`, ...req.headers.map(([k, v]) => `${k}: ${v}`)].join('\r\n');
  let body = req.body ?? Buffer.alloc(0);
  if (req.chunked && body.length > 0) body = Buffer.concat([Buffer.from(`${body.length.toString(16)}\r\n`), body, Buffer.from('\r\n0\r\n\r\n')]);
  else if (req.chunked) body = Buffer.from('0\r\n\r\n');
  return { kind: 'raw', label: `${req.label} (raw replay)`, bytes: Buffer.concat([Buffer.from(`${head}\r\n\r\n`, 'latin1'), body]) };
}

/**
 * Sends a request. When node's client cannot parse what came back (a body on a HEAD answer, say),
 * the request is replayed over a raw socket so the status the server really sent is still checked.
 */
export async function send(port: number, req: FuzzRequest): Promise<Outcome & { note?: string }> {
  if (req.kind === 'raw') return sendRaw(port, req);
  const outcome = await sendHttp(port, req);
  if (outcome.kind === 'response' || !/^HPE_|client refused/.test(outcome.reason)) return outcome;
  const replay = await sendRaw(port, toRaw(req));
  return replay.kind === 'response' ? { ...replay, note: `node's client could not parse the reply (${outcome.reason}); raw replay` } : outcome;
}

export const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n)}…(${s.length} chars)` : s);

export function describeRequest(req: FuzzRequest): string {
  if (req.kind === 'raw') return `[${req.label}] RAW ${clip(JSON.stringify(req.bytes.toString('latin1')), 700)}`;
  const headers = req.headers.map(([k, v]) => `${k}: ${clip(JSON.stringify(v), 120)}`).join(' | ');
  const body = req.body === undefined ? '' : ` body${req.chunked ? ' (chunked)' : ''}=${clip(JSON.stringify(req.body.toString('latin1')), 400)}`;
  return `[${req.label}] ${req.method} ${clip(JSON.stringify(req.path), 400)} headers={ ${headers} }${body}`;
}
