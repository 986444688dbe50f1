/**
 * What the malformed-request test sends: a seeded PRNG, the malformed values, ids, query strings,
 * methods and content types to draw from, and the fixed catalogue of hand-picked requests (the CI and
 * git routes' part in `malformed-catalogue-ci.ts` and `malformed-catalogue-git.ts`). The routes they are
 * aimed at live in `malformed-routes.ts`; the random requests built from these, in `malformed-generator.ts`.
 */
import { ciCatalogue } from './malformed-catalogue-ci.js';
import { gitCatalogue } from './malformed-catalogue-git.js';
import type { Fixtures } from './malformed-routes.js';
import type { FuzzRequest } from './raw-http.js';
import { ROOT_TOKEN } from './server.js';

export { ALL_FIELDS, EXTRA_FIELDS, ROUTES, type Fixtures, type RouteTemplate } from './malformed-routes.js';

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

export class Rng {
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
// Encoding malformed values

/** A JSON fragment written verbatim (numbers JSON.stringify cannot produce, deep nesting...). */
class RawJson {
  constructor(readonly text: string) {}
}

export function toJson(value: unknown): string {
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
export function toForm(value: Record<string, unknown>, prefix = ''): string[] {
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

export const deepArray = (n: number) => new RawJson('['.repeat(n) + ']'.repeat(n));
export const deepObject = (n: number) => new RawJson('{"a":'.repeat(n) + '1' + '}'.repeat(n));

// ---------------------------------------------------------------------------------------------
// What to draw from

/** Values of the wrong type or shape for almost any field. */
export const WRONG_VALUES: unknown[] = [
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
export const BAD_IDS = [
  '0', '-1', '-5', '2147483647', '2147483648', '4294967296', '9223372036854775807', '9223372036854775808', '99999999999999999999',
  '1e3', '1.5', '1.0', '0x1f', '+1', '01', '%20', '%zz', '%', '%0', '%00', '%2F', '%2f%2f', 'a%2Fb', 'a%2Fb%00', 'root%2F', '%2Froot',
  '..', '.', '%2E%2E', '%C0%AF', '\xff\xfe', '\xc3\x28', '%FF', '%ED%A0%80', '%E2%82', '%F0%9F%92%A9', '%F4%90%80%80',
  'a'.repeat(1100), 'a'.repeat(2100), 'root%2F' + 'a'.repeat(1500), 'null', 'undefined', 'true', '[]', '{}', 'constructor',
  '__proto__', 'toString', 'hasOwnProperty', ';', ':id', '*', '~', '!', "'", '"', '<>', '`', '$', '%u0041', '&', '=', '@',
  'root', 'ROOT', 'root%2Fnope', 'root%252Fnope', 'a%2F%2Fb', '%2F%2F', 'group%2F..%2Fx',
];

export const QUERY_FRAGMENTS = [
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

export const METHODS: ReadonlyArray<readonly [number, string]> = [
  [30, 'GET'], [18, 'POST'], [14, 'PUT'], [10, 'DELETE'], [5, 'PATCH'], [4, 'HEAD'], [4, 'OPTIONS'], [2, 'PROPFIND'], [1, 'TRACE'],
  [1, 'MKCOL'], [1, 'SEARCH'], [1, 'PURGE'], [1, 'LOCK'], [1, 'FOO'], [1, 'M-SEARCH'],
];

export const CONTENT_TYPES = [
  'application/json', 'application/json', 'application/json', 'application/json; charset=utf-8', 'application/json; charset=utf-16',
  'application/json; charset=latin1', 'APPLICATION/JSON', 'application/vnd.api+json', 'application/jsonp', 'application/json, text/plain',
  'text/plain', 'text/plain; charset=utf-8', 'multipart/form-data', 'multipart/form-data; boundary=', 'multipart/form-data; boundary=zz',
  'application/x-www-form-urlencoded', 'application/x-www-form-urlencoded', 'application/x-www-form-urlencoded; charset=\xff',
  'application/octet-stream', 'text/html', '', ' ', ';;;', '*/*', 'application/', '/json', 'application/json; =', 'x'.repeat(2000),
  'application/json\xff', 'application/x-www-form-urlencoded; charset=utf-16',
];

// ---------------------------------------------------------------------------------------------
// The fixed catalogue

/** Hand-picked requests that cover every kind of malformation named in the requirement at least once. */
export function catalogue(fx: Fixtures, host: string): FuzzRequest[] {
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
  out.push(...gitCatalogue(fx, host), ...ciCatalogue(fx, host));
  return out;
}
