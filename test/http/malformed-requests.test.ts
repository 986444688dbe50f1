/**
 * "Bad input never yields a 500": a few hundred malformed requests (random paths, bodies, headers,
 * encodings), sent over raw HTTP/1.1 with node's `http` module (and `net` for bytes `http` refuses
 * to send), must all answer < 500, with every JSON error body carrying `message` or `error`.
 *
 * The requests come from a seeded PRNG (mulberry32): a failure names the seed and the request, and
 * `CONVEYOR_FUZZ_SEED=<seed> node test/run.js malformed-requests` replays the same sequence.
 * `CONVEYOR_FUZZ_COUNT` changes how many random requests follow the fixed catalogue.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { DIALECTS } from '../helpers/databases.js';
import { addMember, createGroup, createProject, createUser, unique } from '../helpers/fixtures.js';
import { ROOT_TOKEN, startTestServer, type TestServer } from '../helpers/server.js';

const SEED = (Number.parseInt(process.env.CONVEYOR_FUZZ_SEED ?? '', 10) || 0x5eed2024) >>> 0;
const RANDOM_REQUESTS = Number.parseInt(process.env.CONVEYOR_FUZZ_COUNT ?? '', 10) || 600;
const REQUEST_TIMEOUT_MS = 10_000;
/** When set, every request and its outcome are appended to this file (one line each). */
const LOG_FILE = process.env.CONVEYOR_FUZZ_LOG;

// ---------------------------------------------------------------------------------------------
// Deterministic randomness

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class Rng {
  private readonly next: () => number;
  constructor(seed: number) {
    this.next = mulberry32(seed);
  }
  float(): number {
    return this.next();
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }
  /** Picks by weight: `[[weight, value], ...]`. */
  weighted<T>(items: ReadonlyArray<readonly [number, T]>): T {
    const total = items.reduce((sum, [w]) => sum + w, 0);
    let r = this.next() * total;
    for (const [w, v] of items) {
      r -= w;
      if (r < 0) return v;
    }
    return items[items.length - 1][1];
  }
  subset<T>(items: readonly T[], max: number): T[] {
    const copy = [...items];
    const out: T[] = [];
    const n = this.int(Math.min(max, copy.length) + 1);
    for (let i = 0; i < n; i++) out.push(copy.splice(this.int(copy.length), 1)[0]);
    return out;
  }
}

// ---------------------------------------------------------------------------------------------
// Requests and responses

/**
 * One request. `http` requests go through `http.request` (path and header values are latin1
 * strings, so bytes 0x80-0xff, i.e. invalid UTF-8, can be sent); `raw` requests are exact bytes
 * written to a socket, for what `http` refuses (spaces and control bytes, bad framing...).
 */
type FuzzRequest =
  | { kind: 'http'; label: string; method: string; path: string; headers: Array<[string, string]>; body?: Buffer; chunked?: boolean }
  | { kind: 'raw'; label: string; bytes: Buffer };

interface FuzzResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** Answered by node's HTTP parser (or a raw socket), not necessarily by the app. */
  via: 'http' | 'raw';
}

type Outcome = { kind: 'response'; response: FuzzResponse } | { kind: 'no-response'; reason: string };

function sendHttp(port: number, req: Extract<FuzzRequest, { kind: 'http' }>): Promise<Outcome> {
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
function parseRawResponse(data: Buffer): FuzzResponse | null {
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

function sendRaw(port: number, req: Extract<FuzzRequest, { kind: 'raw' }>): Promise<Outcome> {
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
function toRaw(req: Extract<FuzzRequest, { kind: 'http' }>): Extract<FuzzRequest, { kind: 'raw' }> {
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
async function send(port: number, req: FuzzRequest): Promise<Outcome & { note?: string }> {
  if (req.kind === 'raw') return sendRaw(port, req);
  const outcome = await sendHttp(port, req);
  if (outcome.kind === 'response' || !/^HPE_|client refused/.test(outcome.reason)) return outcome;
  const replay = await sendRaw(port, toRaw(req));
  return replay.kind === 'response' ? { ...replay, note: `node's client could not parse the reply (${outcome.reason}); raw replay` } : outcome;
}

const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n)}…(${s.length} chars)` : s);

function describeRequest(req: FuzzRequest): string {
  if (req.kind === 'raw') return `[${req.label}] RAW ${clip(JSON.stringify(req.bytes.toString('latin1')), 700)}`;
  const headers = req.headers.map(([k, v]) => `${k}: ${clip(JSON.stringify(v), 120)}`).join(' | ');
  const body = req.body === undefined ? '' : ` body${req.chunked ? ' (chunked)' : ''}=${clip(JSON.stringify(req.body.toString('latin1')), 400)}`;
  return `[${req.label}] ${req.method} ${clip(JSON.stringify(req.path), 400)} headers={ ${headers} }${body}`;
}

/** Problems with one response, or [] when it is acceptable. */
function checkResponse(req: FuzzRequest, res: FuzzResponse): string[] {
  const problems: string[] = [];
  if (!(res.status >= 100 && res.status < 500)) problems.push(`status ${res.status}`);
  const isHead = req.kind === 'http' && req.method === 'HEAD';
  const type = res.headers['content-type'] ?? '';
  if (!isHead && /^application\/json/i.test(type) && res.body !== '') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(res.body);
    } catch {
      problems.push('JSON body does not parse');
      return problems;
    }
    if (res.status >= 400) {
      const ok = parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) && ('message' in parsed || 'error' in parsed);
      if (!ok) problems.push('JSON error body has neither `message` nor `error`');
    }
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------
// What to send

/** A JSON fragment written verbatim (numbers JSON.stringify cannot produce, deep nesting...). */
class RawJson {
  constructor(readonly text: string) {}
}

function toJson(value: unknown): string {
  if (value instanceof RawJson) return value.text;
  if (Array.isArray(value)) return `[${value.map(toJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}:${toJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** encodeURIComponent that writes a lone surrogate as the invalid UTF-8 `%ED%A0%80` instead of throwing. */
function encode(text: string): string {
  return encodeURIComponent(text.replace(LONE_SURROGATE, '\u0000LONE\u0000')).replace(/%00LONE%00/g, '%ED%A0%80');
}

/** Rails-style form encoding (`a[]=1&b[c]=2`), by hand so odd values survive. */
function toForm(value: Record<string, unknown>, prefix = ''): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(value)) {
    const key = prefix ? `${prefix}[${k}]` : k;
    if (v instanceof RawJson) out.push(`${encode(key)}=${encode(v.text)}`);
    else if (Array.isArray(v)) for (const item of v) out.push(`${encode(`${key}[]`)}=${encode(String(item))}`);
    else if (v !== null && typeof v === 'object') out.push(...toForm(v as Record<string, unknown>, key));
    else out.push(`${encode(key)}=${v === null ? '' : encode(String(v))}`);
  }
  return out;
}

const deepArray = (n: number) => new RawJson('['.repeat(n) + ']'.repeat(n));
const deepObject = (n: number) => new RawJson('{"a":'.repeat(n) + '1' + '}'.repeat(n));

/** Values of the wrong type or shape for almost any field. */
const WRONG_VALUES: unknown[] = [
  '1', '30', 1, 0, -1, -5, -2147483649, 2 ** 31, 2 ** 32, 2 ** 53 + 2, 2 ** 63,
  new RawJson('9223372036854775808'), new RawJson('18446744073709551616'), new RawJson('123456789012345678901234567890'),
  '2147483648', '9223372036854775808', '-9223372036854775809', new RawJson('1e400'), new RawJson('-0'), new RawJson('1E-400'),
  1.5, 0.1, -2.5, 1e21, true, false, 'maybe', 'yes', 'True', 'nil', null, [], ['a', 'b'], [1, 2], [[['x']]], [null], {}, { a: 1 },
  { user_id: 1 }, { $gt: '' }, '', ' ', '\t\n', '\u0000', 'a\u0000b', 'a'.repeat(300), 'a'.repeat(12_000), '\ud800', 'x\udfff', '💩',
  'é', '-bad', '../etc/passwd', 'root', 'x/y', 'a/b/c', '2024-02-30', '0000-01-01', '9999-99-99', '2099-01-01T00:00:00Z', '-2024-01-01',
  'NaN', 'Infinity', '<script>alert(1)</script>', "'; DROP TABLE users; --", '%00', '%zz', '\\', 'constructor', '__proto__',
  deepArray(64), deepObject(64),
];

/** Path segments for `:id`-like parameters; valid ids are mixed in by the generator. */
const BAD_IDS = [
  '0', '-1', '-5', '2147483647', '2147483648', '4294967296', '9223372036854775807', '9223372036854775808', '99999999999999999999',
  '1e3', '1.5', '1.0', '0x1f', '+1', '01', '%20', '%zz', '%', '%0', '%00', '%2F', '%2f%2f', 'a%2Fb', 'a%2Fb%00', 'root%2F', '%2Froot',
  '..', '.', '%2E%2E', '%C0%AF', '\xff\xfe', '\xc3\x28', '%FF', '%ED%A0%80', '%E2%82', '%F0%9F%92%A9', '%F4%90%80%80',
  'a'.repeat(1100), 'a'.repeat(2100), 'root%2F' + 'a'.repeat(1500), 'null', 'undefined', 'true', '[]', '{}', 'constructor',
  '__proto__', 'toString', 'hasOwnProperty', ';', ':id', '*', '~', '!', "'", '"', '<>', '`', '$', '%u0041', '&', '=', '@',
  'root', 'ROOT', 'root%2Fnope', 'root%252Fnope', 'a%2F%2Fb', '%2F%2F', 'group%2F..%2Fx',
];

const QUERY_FRAGMENTS = [
  'per_page=abc', 'per_page=0', 'per_page=-1', 'per_page=1e9', 'per_page=99999999999999999999', 'per_page=100', 'per_page[]=5',
  'per_page[a]=5', 'per_page=5&per_page=6', 'per_page=%00', 'page=-5', 'page=1e9', 'page=1000000000', 'page=999999999999',
  'page=abc', 'page[]=1', 'page[a]=1', 'page=', 'page=1.5', 'page=%20', 'scope[]=x', 'scope=all', 'sort=sideways', 'sort[]=asc',
  'sort=ASC', 'sort=desc', 'order_by=sideways', 'order_by=name', 'order_by=id', 'order_by[]=id', 'order_by=constructor',
  'order_by=__proto__', 'order_by=toString', 'order_by=hasOwnProperty', 'pagination=keyset', 'pagination=keyset&cursor=garbage',
  'pagination=keyset&order_by=id&cursor=garbage', 'pagination=keyset&order_by=id&sort=sideways', 'pagination=keyset&order_by=name',
  'pagination=sideways', 'pagination[]=keyset', 'cursor=%00', 'cursor[]=a', 'pagination=keyset&order_by=id&cursor=eyJpZCI6Ii0xIn0',
  'pagination=keyset&order_by=id&cursor=eyJpZCI6Ijk5OTk5OTk5OTk5In0', 'pagination=keyset&order_by=id&cursor=bnVsbA',
  'pagination=keyset&order_by=id&cursor=eyJpZCI6bnVsbH0', 'search=%00', 'search=%zz', 'search=%FF', 'search=%25_', 'search=',
  `search=${'a'.repeat(10_001)}`, 'search[]=a&search[]=b', 'search[a]=1', 'search=\xff\xfe', 'username=%00', 'username[]=root',
  'username=root', 'visibility=secret', 'visibility[]=public', 'simple=maybe', 'simple=true', 'membership=maybe', 'membership=1',
  'owned=1e9', 'owned=true', 'active=maybe', 'blocked=2', 'top_level_only=sideways', 'include_subgroups=-1', 'include_subgroups=true',
  'user_id=-1', 'user_id=abc', 'user_id=2147483648', 'user_id=1', 'user_id[]=1&user_id[]=2', 'query=%00', 'query[]=a',
  'a[][][b]=1&a[0]=2', 'a[b][c][d][e][f][g][h]=1', 'a[99999]=1', 'a[]=1&a[b]=2', '__proto__[admin]=1', 'constructor[prototype][x]=1',
  '&&&==&', '=', '%', '?', '??', '=%zz', 'x=%E2%82', 'x=%C0%AF', Array.from({ length: 1200 }, (_, i) => `p${i}=${i}`).join('&'),
  `${'a['.repeat(40)}${']'.repeat(40)}=1`, 'private_token=', `private_token=${ROOT_TOKEN}`, 'private_token=%00', 'private_token[]=x',
  `access_token=${ROOT_TOKEN}`, 'access_token=nope', 'sudo=root', 'sudo=%00', 'sudo=nonexistent-user-zzz', 'sudo=2147483648',
  'sudo[]=root', 'sudo=-1', 'sudo=0',
];

const METHODS: ReadonlyArray<readonly [number, string]> = [
  [30, 'GET'], [18, 'POST'], [14, 'PUT'], [10, 'DELETE'], [5, 'PATCH'], [4, 'HEAD'], [4, 'OPTIONS'], [2, 'PROPFIND'], [1, 'TRACE'],
  [1, 'MKCOL'], [1, 'SEARCH'], [1, 'PURGE'], [1, 'LOCK'], [1, 'FOO'], [1, 'M-SEARCH'],
];

const CONTENT_TYPES = [
  'application/json', 'application/json', 'application/json', 'application/json; charset=utf-8', 'application/json; charset=utf-16',
  'application/json; charset=latin1', 'APPLICATION/JSON', 'application/vnd.api+json', 'application/jsonp', 'application/json, text/plain',
  'text/plain', 'text/plain; charset=utf-8', 'multipart/form-data', 'multipart/form-data; boundary=', 'multipart/form-data; boundary=zz',
  'application/x-www-form-urlencoded', 'application/x-www-form-urlencoded', 'application/x-www-form-urlencoded; charset=\xff',
  'application/octet-stream', 'text/html', '', ' ', ';;;', '*/*', 'application/', '/json', 'application/json; =', 'x'.repeat(2000),
  'application/json\xff', 'application/x-www-form-urlencoded; charset=utf-16',
];

interface Fixtures {
  root: { id: number; username: string };
  user: { id: number; username: string; token: string };
  readOnly: { id: number; username: string; token: string };
  revokedToken: string;
  userTokenId: number;
  groups: Array<{ id: number; full_path: string }>;
  projects: Array<{ id: number; path_with_namespace: string }>;
}

interface RouteTemplate {
  path: string;
  methods: string[];
  fields?: string[];
}

const ROUTES: RouteTemplate[] = [
  { path: '/api/v4/user', methods: ['GET'] },
  { path: '/api/v4/users', methods: ['GET', 'POST'], fields: ['username', 'name', 'email', 'password', 'reset_password', 'force_random_password', 'admin', 'skip_confirmation'] },
  { path: '/api/v4/users/{uid}', methods: ['GET'] },
  { path: '/api/v4/users/{uid}/block', methods: ['POST'] },
  { path: '/api/v4/users/{uid}/unblock', methods: ['POST'] },
  { path: '/api/v4/users/{uid}/personal_access_tokens', methods: ['POST'], fields: ['name', 'scopes', 'expires_at', 'description'] },
  { path: '/api/v4/personal_access_tokens', methods: ['GET'] },
  { path: '/api/v4/personal_access_tokens/self', methods: ['GET', 'DELETE'] },
  { path: '/api/v4/personal_access_tokens/{tid}', methods: ['GET', 'DELETE'] },
  { path: '/api/v4/projects', methods: ['GET', 'POST'], fields: ['name', 'path', 'namespace_id', 'description', 'visibility', 'default_branch', 'public_jobs', 'public_builds', 'ci_config_path'] },
  { path: '/api/v4/projects/{pid}', methods: ['GET', 'PUT', 'DELETE'], fields: ['name', 'path', 'description', 'visibility', 'default_branch', 'public_jobs', 'public_builds', 'ci_config_path'] },
  { path: '/api/v4/projects/{pid}/members', methods: ['GET', 'POST'], fields: ['user_id', 'access_level', 'expires_at'] },
  { path: '/api/v4/projects/{pid}/members/all', methods: ['GET'] },
  { path: '/api/v4/projects/{pid}/members/{uid}', methods: ['GET', 'PUT', 'DELETE'], fields: ['access_level', 'expires_at'] },
  { path: '/api/v4/projects/{pid}/members/all/{uid}', methods: ['GET'] },
  { path: '/api/v4/groups', methods: ['GET', 'POST'], fields: ['name', 'path', 'parent_id', 'visibility', 'description'] },
  { path: '/api/v4/groups/{gid}', methods: ['GET', 'PUT', 'DELETE'], fields: ['name', 'description', 'visibility'] },
  { path: '/api/v4/groups/{gid}/subgroups', methods: ['GET'] },
  { path: '/api/v4/groups/{gid}/projects', methods: ['GET'] },
  { path: '/api/v4/groups/{gid}/members', methods: ['GET', 'POST'], fields: ['user_id', 'access_level', 'expires_at'] },
  { path: '/api/v4/groups/{gid}/members/all', methods: ['GET'] },
  { path: '/api/v4/groups/{gid}/members/{uid}', methods: ['GET', 'PUT', 'DELETE'], fields: ['access_level', 'expires_at'] },
  { path: '/api/v4/groups/{gid}/members/all/{uid}', methods: ['GET'] },
  { path: '/api/v4/version', methods: ['GET'] },
  { path: '/api/v4/metadata', methods: ['GET'] },
  { path: '/-/health', methods: ['GET'] },
  { path: '/-/readiness', methods: ['GET'] },
  { path: '/-/liveness', methods: ['GET'] },
];

const ALL_FIELDS = [...new Set(ROUTES.flatMap((r) => r.fields ?? []))];
const EXTRA_FIELDS = ['id', 'unknown_field', '__proto__', 'constructor', 'private_token', 'sudo', 'is_admin', ''];

class Generator {
  private n = 0;
  constructor(
    private readonly rng: Rng,
    private readonly fx: Fixtures,
    private readonly host: string,
  ) {}

  private validId(slot: string): string {
    const { rng, fx } = this;
    switch (slot) {
      case 'uid':
        return String(rng.pick([fx.root.id, fx.user.id, fx.readOnly.id]));
      case 'tid':
        return String(fx.userTokenId);
      case 'pid': {
        const p = rng.pick(fx.projects);
        return rng.chance(0.6) ? String(p.id) : rng.pick([encodeURIComponent(p.path_with_namespace), encodeURIComponent(p.path_with_namespace).toUpperCase()]);
      }
      default: {
        const g = rng.pick(fx.groups);
        return rng.chance(0.6) ? String(g.id) : encodeURIComponent(g.full_path);
      }
    }
  }

  private idFor(slot: string): string {
    const { rng } = this;
    if (rng.chance(0.45)) return this.validId(slot);
    if (rng.chance(0.15)) return this.validId(slot) + rng.pick(['%00', '%zz', '\xff', '.json', '%2F', '%20', '/', 'x', '0']);
    return rng.pick(BAD_IDS);
  }

  private value(field: string): unknown {
    const { rng, fx } = this;
    if (rng.chance(0.55)) return rng.pick(WRONG_VALUES);
    switch (field) {
      case 'username':
      case 'path':
        return unique('fz');
      case 'name':
      case 'description':
        return `Fuzz ${rng.int(1e6)}`;
      case 'email':
        return `${unique('fz')}@example.com`;
      case 'password':
        return 'password-1234';
      case 'visibility':
        return rng.pick(['private', 'internal', 'public']);
      case 'scopes':
        return rng.pick([['api'], ['read_api'], ['sudo', 'api'], ['nonsense']]);
      case 'expires_at':
        return rng.pick(['2099-01-01', '2000-01-01']);
      case 'access_level':
        return rng.pick([10, 20, 30, 40, 50]);
      case 'user_id':
        return rng.pick([fx.user.id, fx.readOnly.id]);
      case 'namespace_id':
      case 'parent_id':
        return rng.chance(0.5) ? rng.pick(fx.groups).id : rng.pick(fx.groups).full_path;
      case 'default_branch':
      case 'ci_config_path':
        return rng.pick(['main', '.gitlab-ci.yml', '']);
      default:
        return rng.pick([true, false, 'true', '0']);
    }
  }

  private bodyObject(fields: string[]): Record<string, unknown> {
    const { rng } = this;
    const out: Record<string, unknown> = {};
    const chosen = rng.subset(fields.length ? fields : ALL_FIELDS, 6);
    if (rng.chance(0.2)) chosen.push(rng.pick(EXTRA_FIELDS));
    if (rng.chance(0.1)) chosen.push(rng.pick(ALL_FIELDS));
    for (const f of chosen) out[f] = this.value(f);
    return out;
  }

  /** A body and the content type it claims to be (which may be a lie). */
  private body(fields: string[]): { contentType?: string; body?: Buffer } {
    const { rng } = this;
    const kind = rng.weighted([
      [40, 'json'], [10, 'form'], [6, 'soup'], [8, 'invalid-json'], [8, 'json-scalar'], [4, 'deep'], [6, 'mismatched'], [4, 'binary'], [4, 'empty'],
    ] as const);
    const obj = this.bodyObject(fields);
    switch (kind) {
      case 'json':
        return { contentType: rng.pick(CONTENT_TYPES.slice(0, 10)), body: Buffer.from(toJson(obj), 'utf8') };
      case 'form':
        return { contentType: 'application/x-www-form-urlencoded', body: Buffer.from(toForm(obj).join('&'), 'utf8') };
      case 'soup': {
        const soup = rng.pick([
          'a[][][b]=1&a[0]=2', 'name[]=a&name[]=b', 'name[a]=1&name=2', 'user_id=abc&access_level[]=30', '%zz=%zz', 'name=%00&path=%00',
          'scopes=api', 'scopes[][]=api', 'scopes[0]=api&scopes[1][x]=y', `access_level=${'9'.repeat(400)}`, 'user_id[$gt]=0',
          'name=\xff\xfe&path=\xc3\x28', '&&&', '=', '[]=1', 'a[=1', 'a]=1', 'visibility[]=public&visibility[]=private',
          `${'x['.repeat(30)}${']'.repeat(30)}=1`, '__proto__[admin]=true&name=x', 'name=a&name=b&name=c',
        ]);
        return { contentType: 'application/x-www-form-urlencoded', body: Buffer.from(`${soup}&${toForm(obj).join('&')}`, 'latin1') };
      }
      case 'invalid-json':
        return {
          contentType: 'application/json',
          body: Buffer.from(rng.pick(['{', '{"a":', "{'a':1}", 'nul', '{"name": "x",}', '[1,2', '{"a":1}{"b":2}', '\ufeff{}', '{"a":"\\u00"}', '{"a":"\\x41"}', 'NaN', '{"name": undefined}', '/* */ {}', '{"a":1e}', '\u0000', '{"a":"b"]', '"unterminated']), 'utf8'),
        };
      case 'json-scalar':
        return {
          contentType: 'application/json',
          body: Buffer.from(rng.pick(['[]', '[1,2,3]', '[{"name":"x"}]', '42', '-1', '1e400', '"str"', '""', 'null', 'true', 'false', '  ', '{}']), 'utf8'),
        };
      case 'deep': {
        const depth = rng.pick([1000, 5000, 20_000]);
        const field = rng.pick(fields.length ? fields : ALL_FIELDS);
        const nested = rng.chance(0.5) ? deepArray(depth) : deepObject(depth);
        const text = rng.chance(0.5) ? nested.text : `{${JSON.stringify(field)}:${nested.text}}`;
        return { contentType: 'application/json', body: Buffer.from(text, 'utf8') };
      }
      case 'mismatched': {
        // A body in one format labelled as another.
        const body = rng.chance(0.5) ? toJson(obj) : toForm(obj).join('&');
        return { contentType: rng.pick(CONTENT_TYPES), body: Buffer.from(body, 'utf8') };
      }
      case 'binary': {
        const bytes = Buffer.alloc(rng.pick([1, 17, 300, 4096]));
        for (let i = 0; i < bytes.length; i++) bytes[i] = rng.int(256);
        if (rng.chance(0.5)) bytes.write('{"name":"', 0, 'latin1');
        return { contentType: rng.pick(['application/json', 'application/x-www-form-urlencoded', 'text/plain', 'application/octet-stream']), body: bytes };
      }
      default:
        return { contentType: rng.chance(0.5) ? rng.pick(CONTENT_TYPES) : undefined, body: rng.chance(0.5) ? Buffer.alloc(0) : undefined };
    }
  }

  private path(route: RouteTemplate): string {
    const { rng } = this;
    let path = route.path.replace(/\{(\w+)\}/g, (_m, slot: string) => this.idFor(slot));
    const mangle = rng.weighted([
      [70, 'none'], [4, 'trailing-slash'], [3, 'double-slash'], [3, 'dot-segment'], [3, 'extra-segment'], [3, 'case'], [2, 'encoded-slash'],
      [2, 'fragment'], [2, 'semicolon'], [3, 'random'], [2, 'overlong'],
    ] as const);
    switch (mangle) {
      case 'trailing-slash':
        path += '/';
        break;
      case 'double-slash':
        path = path.replace(/\//g, () => (rng.chance(0.3) ? '//' : '/'));
        break;
      case 'dot-segment':
        path += rng.pick(['/..', '/.', '/../..', '/%2E%2E', '/..%2F..%2F']);
        break;
      case 'extra-segment':
        path += `/${rng.pick(BAD_IDS)}`;
        break;
      case 'case':
        path = path.replace(/[a-z]/g, (c) => c.toUpperCase());
        break;
      case 'encoded-slash':
        path = path.replace(/\//g, () => (rng.chance(0.3) ? '%2F' : '/'));
        break;
      case 'fragment':
        path += rng.pick(['#frag', '#', '#%zz']);
        break;
      case 'semicolon':
        path += rng.pick([';jsessionid=1', ';', ';a=%zz']);
        break;
      case 'random': {
        const alphabet = 'abcxyz019/%._-~!$&\'()*+,;=:@[]{}|^`"<>\\\xff\xfe\x80';
        path = `/${Array.from({ length: 1 + rng.int(60) }, () => alphabet[rng.int(alphabet.length)]).join('')}`;
        if (rng.chance(0.5)) path = `/api/v4${path}`;
        break;
      }
      case 'overlong':
        path += `/${'x'.repeat(rng.pick([3000, 9000]))}`;
        break;
      default:
        break;
    }
    if (rng.chance(0.45)) {
      const parts = rng.subset(QUERY_FRAGMENTS, 4);
      if (parts.length) path += `?${parts.join('&')}`;
    }
    return path;
  }

  private authHeaders(method: string, path: string): Array<[string, string]> {
    const { rng, fx } = this;
    const goodTokens = [ROOT_TOKEN, ROOT_TOKEN, ROOT_TOKEN, fx.user.token, fx.readOnly.token];
    const badTokens = [
      fx.revokedToken, '', ' ', '\t', 'glpat-' + 'x'.repeat(20), 'x'.repeat(9000), 'glpat-\xff\xfe\xfd', 'glpat-%00', "glpat-'; DROP TABLE users;--",
      'glpat-"<script>', `\t${ROOT_TOKEN}\t`, ROOT_TOKEN.toUpperCase(), `${ROOT_TOKEN}\x80`, `${ROOT_TOKEN} ${ROOT_TOKEN}`, 'null', '[]',
    ];
    // Revoking the root token would turn every later "valid" request into a 401: those go as the fixture user.
    const protectRoot = method === 'DELETE' && /personal_access_tokens/i.test(path);
    let token = rng.chance(0.8) ? rng.pick(goodTokens) : rng.pick(badTokens);
    if (protectRoot && token.includes(ROOT_TOKEN)) token = fx.user.token;
    const headers: Array<[string, string]> = [];
    const style = rng.weighted([[60, 'private-token'], [15, 'bearer'], [5, 'other-auth'], [4, 'duplicate'], [3, 'both'], [6, 'none']] as const);
    switch (style) {
      case 'private-token':
        headers.push([rng.pick(['PRIVATE-TOKEN', 'Private-Token', 'private-token']), token]);
        break;
      case 'bearer':
        headers.push(['Authorization', `${rng.pick(['Bearer ', 'bearer ', 'Bearer  ', 'Bearer', 'BEARER\t'])}${token}`]);
        break;
      case 'other-auth':
        headers.push(['Authorization', rng.pick(['Basic Zm9vOmJhcg==', 'Basic', 'Token abc', 'Bearer a b', 'Bearer ' + 'y'.repeat(9000), '\xff\xfe', 'Bearer %00', 'Digest username="x"'])]);
        break;
      case 'duplicate':
        headers.push(['PRIVATE-TOKEN', token], ['PRIVATE-TOKEN', protectRoot ? 'nope' : rng.pick([ROOT_TOKEN, 'nope', ''])]);
        break;
      case 'both':
        headers.push(['PRIVATE-TOKEN', token], ['Authorization', `Bearer ${rng.pick(badTokens) || 'x'}`]);
        break;
      default:
        break;
    }
    if (rng.chance(0.15) && !protectRoot) {
      const sudo = rng.pick([
        'root', 'nonexistent-user-zzz', fx.user.username, String(fx.user.id), String(fx.readOnly.id), '0', '-1', '2147483648',
        '99999999999999999999', '', ' ', 'x'.repeat(3000), '\xff\xfe', '%00', 'a/b', '1e3', 'ROOT', '1.5', "'", 'constructor',
      ]);
      headers.push(['Sudo', sudo]);
      if (rng.chance(0.2)) headers.push(['Sudo', 'root']);
    }
    return headers;
  }

  private extraHeaders(): Array<[string, string]> {
    const { rng } = this;
    const out: Array<[string, string]> = [];
    const count = rng.weighted([[60, 0], [25, 1], [10, 2], [5, 3]] as const);
    for (let i = 0; i < count; i++) {
      out.push(
        rng.pick<[string, string]>([
          ['Accept', rng.pick(['*/*', 'application/json', 'text/html', 'application/xml', '', 'x'.repeat(5000), '\xff'])],
          ['Accept-Encoding', rng.pick(['gzip, deflate, br', 'identity;q=0', '*;q=0', 'x'])],
          ['Accept-Charset', rng.pick(['utf-16', 'x'])],
          ['Content-Encoding', rng.pick(['gzip', 'deflate', 'br', 'x-unknown', 'identity'])],
          ['X-Forwarded-For', rng.pick(['1.2.3.4', 'garbage', '::1, 300.1.1.1'])],
          ['X-Forwarded-Proto', rng.pick(['https', 'gopher', ''])],
          ['X-Request-Id', rng.pick(['abc', 'x'.repeat(4000), '\xff'])],
          ['Cookie', rng.pick(['a=b', '=;=;', 'x'.repeat(6000)])],
          ['Origin', rng.pick(['http://evil.example', 'null'])],
          ['Range', rng.pick(['bytes=0-1', 'bytes=-1-', 'pages=1'])],
          ['If-None-Match', rng.pick(['*', '"x"', 'W/'])],
          ['If-Modified-Since', rng.pick(['yesterday', 'Thu, 01 Jan 1970 00:00:00 GMT'])],
          ['X-Junk', 'z'.repeat(rng.pick([100, 8000, 12_000]))],
          ['X-Http-Method-Override', rng.pick(['DELETE', 'PROPFIND', 'x'])],
          ['Content-Type', rng.pick(CONTENT_TYPES)],
        ]),
      );
    }
    return out;
  }

  /** A random request through `http.request`. */
  private randomHttp(): FuzzRequest {
    const { rng } = this;
    const route = rng.pick(ROUTES);
    const method = rng.chance(0.75) ? rng.pick(route.methods) : rng.weighted(METHODS);
    const path = this.path(route);
    const headers: Array<[string, string]> = [];
    if (rng.chance(0.97)) headers.push(['Host', this.host]);
    headers.push(['Connection', 'close']);
    headers.push(...this.authHeaders(method, path));
    let body: Buffer | undefined;
    let chunked = false;
    const wantsBody = ['POST', 'PUT', 'PATCH', 'DELETE'].includes(method) ? rng.chance(0.85) : rng.chance(0.15);
    if (wantsBody) {
      const made = this.body(route.fields ?? []);
      if (made.contentType !== undefined) headers.push(['Content-Type', made.contentType]);
      body = made.body;
    } else if (rng.chance(0.1)) {
      headers.push(['Content-Type', rng.pick(CONTENT_TYPES)]);
    }
    headers.push(...this.extraHeaders());
    if (body !== undefined) {
      if (rng.chance(0.1)) {
        chunked = true;
        headers.push(['Transfer-Encoding', 'chunked']);
      } else {
        headers.push(['Content-Length', String(body.length)]);
      }
    } else if (rng.chance(0.05)) {
      headers.push(['Content-Length', '0']);
    }
    if (rng.chance(0.03)) headers.push(['Expect', rng.pick(['100-continue', 'something-else'])]);
    return { kind: 'http', label: `random #${++this.n}`, method, path, headers, body, chunked };
  }

  /** A random request written byte by byte, with framing `http` would not produce. */
  private randomRaw(): FuzzRequest {
    const { rng } = this;
    const route = rng.pick(ROUTES);
    const method = rng.pick(['GET', 'POST', 'PUT', 'DELETE', 'get', 'Get', 'FOO', 'G ET', 'CONNECT', 'PRI', '', 'GET\x00']);
    let target = route.path.replace(/\{(\w+)\}/g, (_m, slot: string) => this.idFor(slot));
    target = rng.pick([
      target,
      `${target}/a b`,
      `${target}\x00`,
      `${target}\x7f`,
      `${target}?q=a b`,
      `${target}?\x01=\x02`,
      `http://127.0.0.1${target}`,
      `http://evil.example${target}`,
      target.slice(1),
      '*',
      '',
      `${target}\t`,
      `${target}\xc3\x28\xa0\xa1`,
    ]);
    const version = rng.pick(['HTTP/1.1', 'HTTP/1.1', 'HTTP/1.0', 'HTTP/2.0', 'HTTP/9.9', 'HTTP/1.1x', '', 'http/1.1']);
    const eol = rng.chance(0.9) ? '\r\n' : rng.pick(['\n', '\r']);
    const lines = [`${method} ${target} ${version}`];
    if (rng.chance(0.9)) lines.push(`Host: ${this.host}`);
    if (rng.chance(0.1)) lines.push(`Host: other.example`);
    lines.push('Connection: close');
    if (rng.chance(0.5)) lines.push(`PRIVATE-TOKEN: ${rng.pick([ROOT_TOKEN, this.fx.user.token, 'x', '\x01\x02'])}`);
    const odd = rng.pick([
      'X-No-Colon',
      'Bad Header: 1',
      'X-Nul: a\x00b',
      'X-Ctl: \x01\x7f',
      ' X-Leading-Space: 1',
      'X-Folded: a\r\n continued',
      ': empty-name',
      'X-Big: ' + 'q'.repeat(20_000),
      'X-Latin: \xff\xfe\xfd',
      'PRIVATE-TOKEN: \x7f',
      'Sudo: \x00',
      'Content-Type: application/json\x00',
      '',
    ]);
    if (odd) lines.push(odd.replace(/\r\n/g, eol));
    let body = '';
    if (rng.chance(0.5)) {
      const made = this.body(route.fields ?? []);
      body = (made.body ?? Buffer.alloc(0)).toString('latin1');
      if (made.contentType !== undefined) lines.push(`Content-Type: ${made.contentType}`);
    }
    const framing = rng.pick(['cl', 'cl', 'none', 'double-cl', 'bad-cl', 'short-cl', 'chunked-bad', 'te-and-cl', 'te-unknown', 'chunked-ok']);
    switch (framing) {
      case 'cl':
        lines.push(`Content-Length: ${Buffer.byteLength(body, 'latin1')}`);
        break;
      case 'double-cl':
        lines.push(`Content-Length: ${Buffer.byteLength(body, 'latin1')}`, `Content-Length: ${Buffer.byteLength(body, 'latin1') + 1}`);
        break;
      case 'bad-cl':
        lines.push(`Content-Length: ${rng.pick(['-1', 'abc', '1e3', '0x10', '99999999999999999999999', ' '])}`);
        break;
      case 'short-cl':
        lines.push(`Content-Length: ${Math.max(0, Math.floor(Buffer.byteLength(body, 'latin1') / 2))}`);
        break;
      case 'chunked-bad':
        lines.push('Transfer-Encoding: chunked');
        body = rng.pick(['zz\r\nabc\r\n0\r\n\r\n', '5\r\nab\r\n0\r\n\r\n', '-1\r\n\r\n', `${body.length.toString(16)};ext=\x00\r\n${body}\r\n0\r\n\r\n`, 'ffffffffffffffffff\r\n']);
        break;
      case 'te-and-cl':
        lines.push('Transfer-Encoding: chunked', `Content-Length: ${body.length}`);
        body = `${body.length.toString(16)}\r\n${body}\r\n0\r\n\r\n`;
        break;
      case 'te-unknown':
        lines.push(`Transfer-Encoding: ${rng.pick(['gzip', 'chunked, gzip', 'identity', 'x'])}`);
        break;
      case 'chunked-ok':
        lines.push('Transfer-Encoding: chunked');
        body = body.length ? `${body.length.toString(16)}\r\n${body}\r\n0\r\n\r\n` : '0\r\n\r\n';
        break;
      default:
        body = '';
        break;
    }
    const text = lines.join(eol) + eol + eol + body;
    return { kind: 'raw', label: `random-raw #${++this.n}`, bytes: Buffer.from(text, 'latin1') };
  }

  next(): FuzzRequest {
    return this.rng.chance(0.12) ? this.randomRaw() : this.randomHttp();
  }
}

/** Hand-picked requests that cover every kind of malformation named in the requirement at least once. */
function catalogue(fx: Fixtures, host: string): FuzzRequest[] {
  const project = fx.projects[0];
  const group = fx.groups[0];
  const out: FuzzRequest[] = [];
  const base = (token: string | null = ROOT_TOKEN): Array<[string, string]> => [
    ['Host', host],
    ['Connection', 'close'],
    ...(token === null ? [] : ([['PRIVATE-TOKEN', token]] as Array<[string, string]>)),
  ];
  const get = (label: string, path: string, headers = base()) => out.push({ kind: 'http', label, method: 'GET', path, headers });
  const withBody = (label: string, method: string, path: string, contentType: string | null, body: string | Buffer, headers = base()) => {
    const buf = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
    const h: Array<[string, string]> = [...headers];
    if (contentType !== null) h.push(['Content-Type', contentType]);
    h.push(['Content-Length', String(buf.length)]);
    out.push({ kind: 'http', label, method, path, headers: h, body: buf });
  };
  const raw = (label: string, text: string) => out.push({ kind: 'raw', label, bytes: Buffer.from(text, 'latin1') });

  // Percent-encoding and UTF-8 in paths.
  for (const id of ['%zz', '%', '%00', 'root%2F%00', `${encodeURIComponent(project.path_with_namespace)}%00`, '%FF', '\xff\xfe', '%C0%AF', '%ED%A0%80', '%E2%82', 'a'.repeat(3000)]) {
    get(`path id ${JSON.stringify(id.slice(0, 20))} (project)`, `/api/v4/projects/${id}`);
    get(`path id ${JSON.stringify(id.slice(0, 20))} (group)`, `/api/v4/groups/${id}`);
    get(`path id ${JSON.stringify(id.slice(0, 20))} (members)`, `/api/v4/projects/${id}/members/all`);
  }
  for (const id of ['0', '-1', '2147483648', '9223372036854775808', '1.5', '1e3', 'abc', '%00']) {
    get(`user id ${id}`, `/api/v4/users/${id}`);
    get(`token id ${id}`, `/api/v4/personal_access_tokens/${id}`);
    get(`member id ${id}`, `/api/v4/projects/${project.id}/members/${id}`);
  }
  get('overlong path', `/api/v4/${'x/'.repeat(4000)}`);
  get('invalid utf-8 in static segment', '/api/v4/pro\xffjects');
  // Query strings.
  for (const q of [
    'per_page=abc', 'page=-5', 'page=1e9', 'scope[]=x', 'sort=sideways', 'pagination=keyset&cursor=garbage', 'order_by=constructor',
    'order_by=__proto__', 'pagination=keyset&order_by=id&cursor=eyJpZCI6Ijk5OTk5OTk5OTk5In0', 'search=%00', 'search=%FF', 'username=%00',
    'a[][][b]=1&a[0]=2', 'sudo=%00', 'sudo=nonexistent-user-zzz', 'private_token=%00',
  ]) {
    for (const path of ['/api/v4/projects', '/api/v4/users', '/api/v4/groups', `/api/v4/groups/${group.id}/projects`, `/api/v4/projects/${project.id}/members`]) {
      get(`query ${q} on ${path}`, `${path}?${q}`);
    }
  }
  // Methods nobody routes.
  for (const method of ['PATCH', 'OPTIONS', 'PROPFIND', 'TRACE', 'FOO', 'HEAD']) {
    out.push({ kind: 'http', label: `method ${method}`, method, path: `/api/v4/projects/${project.id}`, headers: base() });
  }
  // Tokens and sudo.
  for (const token of ['', ' ', 'x'.repeat(9000), 'glpat-\xff\xfe', 'glpat-%00', fx.revokedToken, `${ROOT_TOKEN}\x80`]) {
    get(`PRIVATE-TOKEN ${JSON.stringify(token.slice(0, 20))}`, '/api/v4/user', base(token));
    get(`Bearer ${JSON.stringify(token.slice(0, 20))}`, '/api/v4/user', [['Host', host], ['Connection', 'close'], ['Authorization', `Bearer ${token}`]]);
  }
  get('duplicate PRIVATE-TOKEN', '/api/v4/user', [...base(), ['PRIVATE-TOKEN', 'nope']]);
  get('huge header value', '/api/v4/user', [...base(), ['X-Junk', 'z'.repeat(20_000)]]);
  for (const sudo of ['nonexistent-user-zzz', '0', '-1', '2147483648', '99999999999999999999', '', 'x'.repeat(3000), '\xff\xfe', '%00', fx.user.username]) {
    get(`Sudo ${JSON.stringify(sudo.slice(0, 20))}`, '/api/v4/user', [...base(), ['Sudo', sudo]]);
  }
  // Bodies.
  for (const [label, type, body] of [
    ['invalid JSON', 'application/json', '{"name":'],
    ['JSON array', 'application/json', '[{"name":"x"}]'],
    ['JSON number', 'application/json', '42'],
    ['JSON string', 'application/json', '"x"'],
    ['JSON null', 'application/json', 'null'],
    ['deep JSON array', 'application/json', deepArray(20_000).text],
    ['deep JSON object', 'application/json', deepObject(20_000).text],
    ['deep JSON in a field', 'application/json', `{"name":${deepObject(5000).text}}`],
    ['text/plain', 'text/plain', '{"name":"plain"}'],
    ['multipart without boundary', 'multipart/form-data', '--x\r\nContent-Disposition: form-data; name="name"\r\n\r\nx\r\n--x--'],
    ['bracket soup', 'application/x-www-form-urlencoded', 'a[][][b]=1&a[0]=2&name[]=x&path[a]=y'],
    ['body too large', 'application/json', `{"name":"${'x'.repeat(1_100_000)}"}`],
    ['NUL in name', 'application/json', '{"name":"a\\u0000b"}'],
    ['lone surrogate', 'application/json', '{"name":"\\ud800"}'],
    ['numbers as strings / huge namespace', 'application/json', '{"name":"n1","namespace_id":"99999999999"}'],
    ['namespace_id beyond 2^31', 'application/json', '{"name":"n2","namespace_id":2147483648}'],
    ['namespace_id beyond 2^63', 'application/json', '{"name":"n3","namespace_id":9223372036854775808}'],
    ['namespace_id object', 'application/json', '{"name":"n4","namespace_id":{"id":1}}'],
    ['namespace_id negative', 'application/json', '{"name":"n5","namespace_id":-1}'],
    ['namespace_id float', 'application/json', '{"name":"n6","namespace_id":1.5}'],
    ['boolean maybe', 'application/json', '{"name":"n7","public_jobs":"maybe"}'],
    ['array for string', 'application/json', '{"name":["a","b"]}'],
  ] as const) {
    withBody(`POST /projects ${label}`, 'POST', '/api/v4/projects', type, body);
  }
  for (const [label, body] of [
    ['user_id string', '{"user_id":"1","access_level":"30"}'],
    ['user_id beyond 2^31', '{"user_id":2147483648,"access_level":30}'],
    ['user_id beyond 2^63', '{"user_id":9223372036854775808,"access_level":30}'],
    ['access_level object', `{"user_id":${fx.readOnly.id},"access_level":{"a":1}}`],
    ['access_level float', `{"user_id":${fx.readOnly.id},"access_level":30.5}`],
    ['expires_at year 0', `{"user_id":${fx.readOnly.id},"access_level":10,"expires_at":"0000-01-01"}`],
    ['expires_at nonsense', `{"user_id":${fx.readOnly.id},"access_level":10,"expires_at":"2024-02-30"}`],
  ] as const) {
    withBody(`POST project members ${label}`, 'POST', `/api/v4/projects/${project.id}/members`, 'application/json', body);
    withBody(`POST group members ${label}`, 'POST', `/api/v4/groups/${group.id}/members`, 'application/json', body);
  }
  withBody('POST /groups parent_id beyond 2^31', 'POST', '/api/v4/groups', 'application/json', '{"name":"g","path":"g-big","parent_id":2147483648}');
  withBody('POST /groups NUL path', 'POST', '/api/v4/groups', 'application/json', '{"name":"g","path":"a\\u0000"}');
  withBody('POST /users NUL email', 'POST', '/api/v4/users', 'application/json', '{"username":"nul-email","name":"x","email":"a\\u0000@b","password":"password-1234"}');
  withBody('POST /users admin maybe', 'POST', '/api/v4/users', 'application/json', '{"username":"maybe","name":"x","email":"maybe@example.com","password":"password-1234","admin":"maybe"}');
  withBody('POST token scopes string', 'POST', `/api/v4/users/${fx.user.id}/personal_access_tokens`, 'application/json', '{"name":"t","scopes":"api"}');
  withBody('POST token expires_at year 0', 'POST', `/api/v4/users/${fx.user.id}/personal_access_tokens`, 'application/json', '{"name":"t","scopes":["api"],"expires_at":"0000-01-01"}');
  withBody('PUT project NUL description', 'PUT', `/api/v4/projects/${project.id}`, 'application/json', '{"description":"a\\u0000b"}');
  withBody('PUT group NUL name', 'PUT', `/api/v4/groups/${group.id}`, 'application/json', '{"name":"a\\u0000b"}');
  withBody('PUT group unknown field', 'PUT', `/api/v4/groups/${group.id}`, 'application/json', '{"description":"d","default_branch":"main"}');
  withBody('PUT project unknown field', 'PUT', `/api/v4/projects/${project.id}`, 'application/json', '{"description":"d","parent_id":1}');
  withBody('invalid UTF-8 body', 'POST', '/api/v4/projects', 'application/json', Buffer.from([0x7b, 0x22, 0x6e, 0x61, 0x6d, 0x65, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0xc3, 0x28, 0x22, 0x7d]));
  withBody('gzip claimed, not gzip', 'POST', '/api/v4/projects', 'application/json', '{"name":"gz"}', [...base(), ['Content-Encoding', 'gzip']]);
  // Framing only a raw socket can send.
  raw('space in path', `GET /api/v4/projects/a b HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`);
  raw('NUL in path', `GET /api/v4/projects/\x00 HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`);
  raw('unknown method', `BREW /api/v4/version HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`);
  raw('lowercase method', `get /api/v4/version HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`);
  raw('no Host header', `GET /api/v4/version HTTP/1.1\r\nConnection: close\r\nPRIVATE-TOKEN: ${ROOT_TOKEN}\r\n\r\n`);
  raw('HTTP/1.0 no Host', `GET /api/v4/version HTTP/1.0\r\nPRIVATE-TOKEN: ${ROOT_TOKEN}\r\n\r\n`);
  raw('absolute-form target', `GET http://evil.example/api/v4/version HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`);
  raw('two Content-Lengths', `POST /api/v4/projects HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}`);
  raw('negative Content-Length', `POST /api/v4/projects HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\nContent-Length: -1\r\n\r\n`);
  raw('bad chunk size', `POST /api/v4/projects HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n`);
  raw('header without colon', `GET /api/v4/version HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\nX-No-Colon\r\n\r\n`);
  raw('NUL in token header', `GET /api/v4/version HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\nPRIVATE-TOKEN: a\x00b\r\n\r\n`);
  raw('bare LF line endings', `GET /api/v4/version HTTP/1.1\nHost: ${host}\nConnection: close\nPRIVATE-TOKEN: ${ROOT_TOKEN}\n\n`);
  raw('HTTP/9.9', `GET /api/v4/version HTTP/9.9\r\nHost: ${host}\r\nConnection: close\r\n\r\n`);
  raw('Expect: 100-continue', `POST /api/v4/projects HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\nPRIVATE-TOKEN: ${ROOT_TOKEN}\r\nExpect: 100-continue\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n[]`);
  return out;
}

// ---------------------------------------------------------------------------------------------

function getStatus(port: number, path: string, token?: string): Promise<number> {
  const headers: Array<[string, string]> = [['Host', `127.0.0.1:${port}`], ['Connection', 'close']];
  if (token) headers.push(['PRIVATE-TOKEN', token]);
  return sendHttp(port, { kind: 'http', label: 'probe', method: 'GET', path, headers }).then((o) => (o.kind === 'response' ? o.response.status : 0));
}

for (const dialect of DIALECTS) {
  describe(`malformed requests never yield a 500 (${dialect})`, () => {
    let t: TestServer;
    let port: number;
    let fx: Fixtures;

    before(async () => {
      t = await startTestServer(dialect);
      port = Number(new URL(t.url).port);
      const user = await createUser(t);
      const readOnly = await createUser(t, { scopes: ['read_api'] });
      const doomed = await createUser(t);
      const revoke = await t.api('DELETE', '/personal_access_tokens/self', { token: doomed.token });
      assert.equal(revoke.status, 204, revoke.text);
      const self = await t.api('GET', '/personal_access_tokens/self', { token: user.token });
      assert.equal(self.status, 200, self.text);
      const groups = [];
      const projects = [];
      for (let i = 0; i < 3; i++) {
        const g = await createGroup(t, { visibility: i === 0 ? 'public' : 'private' });
        const sub = await createGroup(t, { parent_id: g.id, visibility: i === 0 ? 'public' : 'private' });
        groups.push(g, sub);
        projects.push(await createProject(t, { namespace_id: sub.id, visibility: i === 0 ? 'public' : 'private' }));
        projects.push(await createProject(t, {}));
      }
      await addMember(t, projects[0].id, user.id, 30);
      const root = await t.api('GET', '/user');
      fx = {
        root: { id: root.body.id, username: root.body.username },
        user: { id: user.id, username: user.username, token: user.token },
        readOnly: { id: readOnly.id, username: readOnly.username, token: readOnly.token },
        revokedToken: doomed.token,
        userTokenId: self.body.id,
        groups: groups.map((g) => ({ id: g.id, full_path: g.full_path })),
        projects: projects.map((p) => ({ id: p.id, path_with_namespace: p.path_with_namespace })),
      };
    });
    after(() => t.close());

    it(`answers a few hundred malformed requests with < 500 (seed ${SEED})`, async (ctx) => {
      const host = `127.0.0.1:${port}`;
      const generator = new Generator(new Rng(SEED), fx, host);
      const requests = [...catalogue(fx, host)];
      for (let i = 0; i < RANDOM_REQUESTS; i++) requests.push(generator.next());

      const failures: string[] = [];
      const noResponse: string[] = [];
      const notes: string[] = [];
      const statuses = new Map<number, number>();
      let crashed: string | null = null;
      for (const [index, req] of requests.entries()) {
        const outcome = await send(port, req);
        if (outcome.kind === 'no-response') {
          if (LOG_FILE) fs.appendFileSync(LOG_FILE, `${dialect} #${index} NO RESPONSE ${outcome.reason} <= ${describeRequest(req)}\n`);
          // A connection dropped without a reply: report it, and fail only if the server died.
          const alive = (await getStatus(port, '/-/liveness')) === 200;
          noResponse.push(`#${index} ${describeRequest(req)} → ${outcome.reason}${alive ? '' : ' — SERVER NO LONGER ANSWERS'}`);
          if (!alive) {
            crashed = `#${index} ${describeRequest(req)}`;
            break;
          }
          continue;
        }
        const res = outcome.response;
        if (outcome.note) notes.push(`#${index} ${res.status} — ${outcome.note}: ${describeRequest(req)}`);
        if (LOG_FILE) fs.appendFileSync(LOG_FILE, `${dialect} #${index} ${res.status} ${clip(JSON.stringify(res.body), 200)} <= ${describeRequest(req)}\n`);
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        const problems = checkResponse(req, res);
        if (problems.length > 0) {
          failures.push(
            `#${index} ${problems.join('; ')}\n    request: ${describeRequest(req)}\n    response: ${res.status} ${res.headers['content-type'] ?? '(no content-type)'} ${clip(JSON.stringify(res.body), 600)}`,
          );
        }
      }

      const summary = [...statuses.entries()].sort(([a], [b]) => a - b).map(([s, n]) => `${s}×${n}`).join(' ');
      ctx.diagnostic(`${dialect}: seed ${SEED}, ${requests.length} requests; statuses ${summary}; ${failures.length} bad answers; ${noResponse.length} without a response`);
      for (const line of noResponse) ctx.diagnostic(`no response: ${line}`);
      for (const line of notes) ctx.diagnostic(`note: ${line}`);

      assert.equal(crashed, null, `seed ${SEED} (${dialect}): the server stopped answering after request ${crashed}`);
      assert.equal((await getStatus(port, '/-/readiness')), 200, `seed ${SEED} (${dialect}): /-/readiness no longer answers 200`);
      assert.equal((await getStatus(port, '/api/v4/user', ROOT_TOKEN)), 200, `seed ${SEED} (${dialect}): the root token stopped working (test bug)`);
      assert.ok(requests.length >= 400, `only ${requests.length} requests`);
      assert.ok(
        failures.length === 0,
        `seed ${SEED} (${dialect}): ${failures.length} of ${requests.length} malformed requests got a bad answer ` +
          `(replay with CONVEYOR_FUZZ_SEED=${SEED}):\n${failures.slice(0, 60).join('\n')}` +
          (failures.length > 60 ? `\n… and ${failures.length - 60} more` : ''),
      );
    });
  });
}
