/**
 * Random malformed requests for the malformed-request test, drawn from the values in
 * `malformed-catalogue.ts`, the routes in `malformed-routes.ts` and (for the CI and git routes) the
 * values in `malformed-fields.ts`. Every choice goes through the seeded `Rng`, so a seed always yields
 * the same sequence; adding, removing or reordering draws changes every request after it.
 */
import { unique } from './fixtures.js';
import { BAD_IDS, CONTENT_TYPES, METHODS, QUERY_FRAGMENTS, WRONG_VALUES, deepArray, deepObject, toForm, toJson, type Rng } from './malformed-catalogue.js';
import { branchName, ciFieldValue, gitAuthHeaders, gitBody, validSlot } from './malformed-fields.js';
import { ALL_FIELDS, BAD_SLOT_VALUES, EXTRA_FIELDS, ROUTES, type Fixtures, type RouteTemplate } from './malformed-routes.js';
import type { FuzzRequest } from './raw-http.js';
import { ROOT_TOKEN } from './server.js';

export class Generator {
  private n = 0;
  constructor(
    private readonly rng: Rng,
    private readonly fx: Fixtures,
    private readonly host: string,
  ) {}

  private validId(slot: string): string {
    const { rng, fx } = this;
    const special = validSlot(rng, fx, slot);
    if (special !== undefined) return special;
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
    const own = BAD_SLOT_VALUES[slot];
    return own && rng.chance(0.7) ? rng.pick(own) : rng.pick(BAD_IDS);
  }

  private value(field: string, route?: RouteTemplate): unknown {
    const { rng, fx } = this;
    if (rng.chance(0.55)) return rng.pick(WRONG_VALUES);
    if (field === 'name' && route?.path.includes('protected_branches')) return branchName(rng);
    const special = ciFieldValue(rng, fx, field);
    if (special !== undefined) return special;
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

  private bodyObject(fields: string[], route?: RouteTemplate): Record<string, unknown> {
    const { rng } = this;
    const out: Record<string, unknown> = {};
    const chosen = rng.subset(fields.length ? fields : ALL_FIELDS, 6);
    if (rng.chance(0.2)) chosen.push(rng.pick(EXTRA_FIELDS));
    if (rng.chance(0.1)) chosen.push(rng.pick(ALL_FIELDS));
    for (const f of chosen) out[f] = this.value(f, route);
    return out;
  }

  /** A body and the content type it claims to be (which may be a lie). */
  private body(fields: string[], route?: RouteTemplate): { contentType?: string; body?: Buffer } {
    const { rng } = this;
    const kind = rng.weighted([
      [40, 'json'], [10, 'form'], [6, 'soup'], [8, 'invalid-json'], [8, 'json-scalar'], [4, 'deep'], [6, 'mismatched'], [4, 'binary'], [4, 'empty'],
    ] as const);
    const obj = this.bodyObject(fields, route);
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
    const parts = route.queries && rng.chance(0.7) ? rng.subset(route.queries, 3) : [];
    if (rng.chance(route.queries ? 0.2 : 0.45)) parts.push(...rng.subset(QUERY_FRAGMENTS, 4));
    if (parts.length) path += `?${parts.join('&')}`;
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
    headers.push(...(route.git && rng.chance(0.8) ? gitAuthHeaders(rng, this.fx) : this.authHeaders(method, path)));
    let body: Buffer | undefined;
    let chunked = false;
    const wantsBody = ['POST', 'PUT', 'PATCH', 'DELETE'].includes(method) ? rng.chance(0.85) : rng.chance(0.15);
    if (wantsBody) {
      const made = route.git && rng.chance(0.85) ? gitBody(rng, this.fx, path.includes('receive')) : { ...this.body(route.fields ?? [], route), headers: [] };
      headers.push(...made.headers);
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
      const made = this.body(route.fields ?? [], route);
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
