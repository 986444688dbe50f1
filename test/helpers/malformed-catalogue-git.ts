/**
 * Hand-picked malformed requests for the repository API, protected branches and git's smart HTTP
 * catch-all. Part of the fixed catalogue (`malformed-catalogue.ts`).
 */
import zlib from 'node:zlib';
import { BAD_SLOT_VALUES, basicAuth, noise, RequestList, type Fixtures, type Header } from './malformed-routes.js';
import type { FuzzRequest } from './raw-http.js';
import { ROOT_TOKEN } from './server.js';

/** One pkt-line: four hex digits of length, then the payload. */
export const pkt = (payload: string) => `${(payload.length + 4).toString(16).padStart(4, '0')}${payload}`;

/** Bodies git's upload-pack and receive-pack must refuse without falling over. */
export function gitBodies(sha: string): Array<[string, Buffer]> {
  const zero = '0'.repeat(40);
  return [
    ['empty', Buffer.alloc(0)],
    ['flush only', Buffer.from('0000')],
    ['done only', Buffer.from(`${pkt('done\n')}`)],
    ['bad length', Buffer.from('zzzzwant x\n0000')],
    ['length ffff', Buffer.from('ffffwant')],
    ['length 0001', Buffer.from('00010002')],
    ['truncated pkt', Buffer.from('0032want ')],
    ['want unknown sha', Buffer.from(`${pkt(`want ${'1'.repeat(40)} multi_ack\n`)}0000${pkt('done\n')}`)],
    ['want real sha', Buffer.from(`${pkt(`want ${sha} side-band-64k\n`)}0000${pkt('done\n')}`)],
    ['want with junk caps', Buffer.from(`${pkt(`want ${sha} ${'x'.repeat(2000)}\n`)}0000${pkt('done\n')}`)],
    ['v2 command junk', Buffer.from(`${pkt('command=nope\n')}0001${pkt('x\n')}0000`)],
    ['v2 ls-refs', Buffer.from(`${pkt('command=ls-refs\n')}0001${pkt('ref-prefix ../../\n')}0000`)],
    ['v2 fetch junk', Buffer.from(`${pkt('command=fetch\n')}0001${pkt(`want ${zero}\n`)}${pkt('done\n')}0000`)],
    ['receive command without pack', Buffer.from(`${pkt(`${zero} ${'2'.repeat(40)} refs/heads/fuzz\0 report-status\n`)}0000`)],
    ['receive traversal ref', Buffer.from(`${pkt(`${zero} ${sha} refs/heads/../../x\0 report-status\n`)}0000PACK`)],
    ['receive pack junk', Buffer.concat([Buffer.from(`${pkt(`${zero} ${sha} refs/heads/fuzz-junk\0 report-status\n`)}0000`), Buffer.from('PACK\0\0\0\x02\0\0\0\x01junk')])],
    ['random bytes', noise(4096, 1)],
    ['NULs', Buffer.alloc(1000)],
    ['text', Buffer.from('hello, git\n')],
  ];
}

/** `Authorization` values git never sends: missing parts, bad base64, NULs and invalid UTF-8 once decoded. */
export function badBasicHeaders(fx: Fixtures): Header[] {
  return [
    ['Authorization', 'Basic'],
    ['Authorization', 'Basic '],
    ['Authorization', 'Basic !!!!'],
    ['Authorization', 'Basic ===='],
    ['Authorization', 'Basic Zm9v'],
    ['Authorization', `Basic ${'A'.repeat(9000)}`],
    ['Authorization', 'basic   cm9vdDp4'],
    ['Authorization', 'Basic cm9vdDp4 extra'],
    ['Authorization', `Bearer ${ROOT_TOKEN}`],
    ['Authorization', 'Digest username="root"'],
    ['Authorization', '\xff\xfe'],
    basicAuth(':'),
    basicAuth('root:'),
    basicAuth(`:${ROOT_TOKEN}`),
    basicAuth(`root:${ROOT_TOKEN}\0`),
    basicAuth('root:\0'),
    basicAuth('\0:\0'),
    basicAuth('root:\xff\xfe\xfd'),
    basicAuth('\xff:\xff'),
    basicAuth('gitlab-ci-token:'),
    basicAuth('gitlab-ci-token:junk'),
    basicAuth('gitlab-ci-token:\0'),
    basicAuth(`gitlab-ci-token:${ROOT_TOKEN}`),
    basicAuth(`root:${fx.revokedToken}`),
    basicAuth(`root:${fx.readOnly.token}`),
    basicAuth(`x:${'y'.repeat(5000)}`),
    basicAuth(`root:${ROOT_TOKEN}:extra`),
  ];
}

function repository(b: RequestList, fx: Fixtures): void {
  const base = `/api/v4/projects/${fx.repo.id}/repository`;
  for (const sha of [...BAD_SLOT_VALUES.sha, fx.repo.shas[0], fx.repo.shas[0].slice(0, 7), fx.repo.shas[0].toUpperCase(), `${fx.repo.shas[0]}%00`]) {
    b.get(`GET commit ${sha.slice(0, 30)}`, `${base}/commits/${sha}`);
  }
  for (const q of [
    'ref_name=', 'ref_name=-x', 'ref_name=--all', 'ref_name[]=main', 'ref_name[a]=1', 'ref_name=..', 'ref_name=main..feature%2Fx', 'ref_name=HEAD~1',
    'ref_name=%0A', `ref_name=${'r'.repeat(1100)}`, `ref_name=${'f'.repeat(40)}`, `ref_name=${'f'.repeat(64)}`, 'ref_name=v1.0', 'ref_name=%FF',
    'page=999999999', 'page=-1', 'page=abc', 'page[]=1', 'per_page=abc', 'per_page=0', 'per_page=1e9', 'per_page[]=1',
  ]) {
    b.get(`GET commits ?${q.slice(0, 30)}`, `${base}/commits?${q}`);
  }
  for (const file of [...BAD_SLOT_VALUES.fpath, 'README.md', 'docs%2Fguide.md', 'docs%2Fa%20b.txt', 'docs/guide.md', 'docs%2Fa b.txt']) {
    b.get(`GET raw ${file.slice(0, 30)}`, `${base}/files/${file}/raw`);
    b.get(`GET raw ${file.slice(0, 30)} ?ref=junk`, `${base}/files/${file}/raw?ref=..%2F..`);
  }
  for (const q of ['ref=', 'ref=-x', 'ref=nope', 'ref[]=main', 'ref=%00', `ref=${'r'.repeat(1100)}`, `ref=${fx.repo.shas[1]}`, 'ref=v1.0', 'ref=main~1', 'ref=main:docs']) {
    b.get(`GET raw README ?${q.slice(0, 30)}`, `${base}/files/README.md/raw?${q}`);
  }
  b.get('GET raw a folder', `${base}/files/docs/raw`);
  b.get('GET branches ?junk', `${base}/branches?search=%00&page=-1`);
  b.get('GET tags ?junk', `${base}/tags?order_by=x&sort=y`);
  b.get('GET commits anonymous', `${base}/commits`, b.headers(null));
}

function protectedBranches(b: RequestList, fx: Fixtures): void {
  const base = `/api/v4/projects/${fx.repo.id}/protected_branches`;
  for (const name of ['', ' ', '*', '**', '-x', 'HEAD', 'a..b', 'a b', 'a.lock', 'a/', '/a', 'a//b', '@{', 'a\nb', 'x'.repeat(256), '\ud800', 'ü', '*'.repeat(255), '*a'.repeat(127), 'main', 'v*']) {
    b.json(`POST protect ${JSON.stringify(name.slice(0, 20))}`, 'POST', base, { name });
  }
  for (const body of [
    {}, { name: 1 }, { name: ['x'] }, { name: { a: 1 } }, { name: null }, { name: 'lv1', push_access_level: 31 }, { name: 'lv2', push_access_level: '30' },
    { name: 'lv3', push_access_level: -1 }, { name: 'lv4', push_access_level: 2 ** 31 }, { name: 'lv5', push_access_level: 'maybe' },
    { name: 'lv6', push_access_level: [30] }, { name: 'lv7', merge_access_level: { a: 1 } }, { name: 'lv8', merge_access_level: 30.5 },
    { name: 'lv9', allow_force_push: 'maybe' }, { name: 'lv10', allow_force_push: [] }, { name: 'lv11', push_access_level: 60 },
    { name: 'lv12', push_access_level: null }, { name: 'lv13', allowed_to_push: [{ user_id: 1 }] }, { name: 'lv14', code_owner_approval_required: 'x' },
  ]) {
    b.json(`POST protect ${JSON.stringify(body).slice(0, 40)}`, 'POST', base, body);
  }
  b.json('POST protect NUL', 'POST', base, '{"name":"a\\u0000b"}');
  b.form('POST protect form soup', 'POST', base, 'name[]=a&push_access_level[a]=30');
  b.json('POST protect as developer', 'POST', base, { name: 'dev-try' }, b.headers(fx.user.token));
  for (const q of ['search=%00', 'search=*', 'search[]=x', `search=${'s'.repeat(300)}`, 'search=%25', 'page=-1&per_page=abc']) b.get(`GET protected ?${q}`, `${base}?${q}`);
  for (const name of [...BAD_SLOT_VALUES.branch, 'main', 'release%2F*', 'release/*', 'v%2A', 'nope']) {
    b.get(`GET protected ${name.slice(0, 20)}`, `${base}/${name}`);
    b.send(`DELETE protected ${name.slice(0, 20)}`, 'DELETE', `${base}/${name}`, b.headers(fx.user.token));
  }
  for (const name of ['nope', '%00', 'x'.repeat(300), '*']) b.send(`DELETE protected as root ${name.slice(0, 20)}`, 'DELETE', `${base}/${name}`);
}

function smartHttp(b: RequestList, fx: Fixtures): void {
  const path = fx.repo.path_with_namespace;
  const root = basicAuth(`root:${ROOT_TOKEN}`);
  const plain = (...extra: Header[]) => b.headers(null, ...extra);
  const refs = (service: string) => `/${path}.git/info/refs?service=${service}`;
  b.get('git info/refs (root)', refs('git-upload-pack'), plain(root));
  b.get('git info/refs anonymous', refs('git-upload-pack'), plain());
  b.send('git HEAD info/refs', 'HEAD', refs('git-upload-pack'), plain(root));
  for (const service of ['', 'junk', 'git-upload-archive', 'git-upload-pack%00', 'git-upload-pack%0A', '%FF', 'GIT-UPLOAD-PACK', 'git-upload-pack&service=git-receive-pack', `${'s'.repeat(5000)}`]) {
    b.get(`git service ${service.slice(0, 20)}`, refs(service), plain(root));
  }
  b.get('git service[]', `/${path}.git/info/refs?service[]=git-upload-pack`, plain(root));
  b.get('git no service (dumb)', `/${path}.git/info/refs`, plain(root));
  b.get('git no .git', `/${path}/info/refs?service=git-upload-pack`, plain(root));
  for (const p of [
    '/../../etc/passwd.git/info/refs', `/${path}/../x.git/info/refs`, '/%2e%2e/%2e%2e/x.git/info/refs', `/${path.replace('/', '/..%2F..%2F')}.git/info/refs`,
    '/.git/info/refs', '/x.git/info/refs', `/${path}.git.git/info/refs`, `/${path}.GIT/info/refs`, `/${path}.git/info/refs/`, `/${path}.git/info//refs`,
    `/${path}.git/HEAD`, `/${path}.git/objects/info/packs`, `/${path}.git/config`, `//${path}.git/info/refs`, `/${path}//.git/info/refs`,
    `/${path}%2Einfo/refs`, `/${path}.git%2Finfo%2Frefs`, `/${path}.git/info/refs%00`, `/${path}%00.git/info/refs`, `/${path}%0A.git/info/refs`,
    `/${'a/'.repeat(600)}b.git/info/refs`, `/${path}/${'x'.repeat(3000)}.git/info/refs`, '/%FF/%FE.git/info/refs', '/-x/y.git/info/refs',
    `/${path.toUpperCase()}.git/info/refs`, '/info/refs', '/.git/git-upload-pack',
  ]) {
    b.get(`git path ${p.slice(0, 40)}`, p.includes('?') ? p : `${p}?service=git-upload-pack`, plain(root));
  }
  for (const header of badBasicHeaders(fx)) {
    b.get(`git auth ${JSON.stringify(header[1].slice(0, 30))}`, refs('git-upload-pack'), plain(header));
    b.get(`git push auth ${JSON.stringify(header[1].slice(0, 30))}`, refs('git-receive-pack'), plain(header));
  }
  b.get('git two Authorization headers', refs('git-upload-pack'), plain(basicAuth('root:nope'), root));
  b.get('git PRIVATE-TOKEN instead of Basic', refs('git-upload-pack'), b.headers(ROOT_TOKEN));
  b.get('git read-only token (read_api)', refs('git-upload-pack'), plain(basicAuth(`u:${fx.readOnly.token}`)));
  b.get('git developer push refs', refs('git-receive-pack'), plain(basicAuth(`u:${fx.user.token}`)));

  const upload = `/${path}.git/git-upload-pack`;
  const receive = `/${path}.git/git-receive-pack`;
  const uploadType: Header = ['Content-Type', 'application/x-git-upload-pack-request'];
  const receiveType: Header = ['Content-Type', 'application/x-git-receive-pack-request'];
  b.send('git upload-pack POST without body', 'POST', upload, plain(root, uploadType));
  b.send('git upload-pack POST without body or type', 'POST', upload, plain(root));
  b.send('git receive-pack POST without body', 'POST', receive, plain(root, receiveType));
  b.send('git receive-pack POST without body, anonymous', 'POST', receive, plain(receiveType));
  b.body('git upload-pack Content-Length 0', 'POST', upload, 'application/x-git-upload-pack-request', Buffer.alloc(0), plain(root));
  for (const [label, body] of gitBodies(fx.repo.shas[0])) {
    b.body(`git upload-pack ${label}`, 'POST', upload, 'application/x-git-upload-pack-request', body, plain(root));
    b.body(`git receive-pack ${label}`, 'POST', receive, 'application/x-git-receive-pack-request', body, plain(root));
  }
  const want = Buffer.from(`${pkt(`want ${fx.repo.shas[0]}\n`)}0000${pkt('done\n')}`);
  b.body('git upload-pack chunked', 'POST', upload, 'application/x-git-upload-pack-request', want, plain(root), true);
  b.body('git upload-pack v2 header junk', 'POST', upload, 'application/x-git-upload-pack-request', want, plain(root, ['Git-Protocol', 'version=9:x'.repeat(200)]));
  b.body('git upload-pack gzip claimed, not gzip', 'POST', upload, 'application/x-git-upload-pack-request', want, plain(root, ['Content-Encoding', 'gzip']));
  b.body('git upload-pack truncated gzip', 'POST', upload, 'application/x-git-upload-pack-request', zlib.gzipSync(want).subarray(0, 12), plain(root, ['Content-Encoding', 'gzip']));
  b.body('git upload-pack gzip bomb', 'POST', upload, 'application/x-git-upload-pack-request', zlib.gzipSync(Buffer.alloc(64 * 1024 * 1024)), plain(root, ['Content-Encoding', 'gzip']));
  b.body('git upload-pack unknown encoding', 'POST', upload, 'application/x-git-upload-pack-request', want, plain(root, ['Content-Encoding', 'br, x']));
  for (const type of ['application/json', 'text/plain', 'application/x-git-receive-pack-request', 'application/x-git-', '', 'x'.repeat(2000)]) {
    b.body(`git upload-pack type ${type.slice(0, 30)}`, 'POST', upload, type, want, plain(root));
  }
  b.body('git upload-pack huge body', 'POST', upload, 'application/x-git-upload-pack-request', noise(4 * 1024 * 1024, 2), plain(root));
  b.body('git upload-pack huge pkt-lines', 'POST', upload, 'application/x-git-upload-pack-request', Buffer.from(`${pkt(`want ${fx.repo.shas[0]}\n`)}`.repeat(60_000)), plain(root));
  b.body('git receive-pack huge body', 'POST', receive, 'application/x-git-receive-pack-request', noise(3 * 1024 * 1024, 3), plain(root));
  b.body('git receive-pack as developer', 'POST', receive, 'application/x-git-receive-pack-request', Buffer.from('0000'), plain(basicAuth(`u:${fx.user.token}`)));
  b.body('git receive-pack anonymous with body', 'POST', receive, 'application/x-git-receive-pack-request', noise(100_000, 4), plain());
  b.body('git upload-pack bad auth with huge body', 'POST', upload, 'application/x-git-upload-pack-request', noise(2 * 1024 * 1024, 5), plain(basicAuth('x:y')));
  for (const header of badBasicHeaders(fx).slice(0, 12)) {
    b.body(`git upload-pack auth ${JSON.stringify(header[1].slice(0, 20))}`, 'POST', upload, 'application/x-git-upload-pack-request', want, plain(header));
  }
  b.send('git GET upload-pack', 'GET', upload, plain(root));
  b.body('git POST info/refs', 'POST', refs('git-upload-pack'), 'application/x-git-upload-pack-request', want, plain(root));
  for (const method of ['PUT', 'DELETE', 'PATCH', 'OPTIONS', 'PROPFIND']) {
    b.body(`git ${method} upload-pack`, method, upload, 'application/x-git-upload-pack-request', want, plain(root));
  }
  b.body('git upload-pack to a traversal path', 'POST', '/../../etc.git/git-upload-pack', 'application/x-git-upload-pack-request', want, plain(root));
  b.body('git upload-pack to another project', 'POST', `/${fx.projects[1].path_with_namespace}.git/git-upload-pack`, 'application/x-git-upload-pack-request', want, plain(root));
  b.raw('git POST with short Content-Length', `POST ${upload} HTTP/1.1\r\nHost: ${b.host}\r\nConnection: close\r\n${root[0]}: ${root[1]}\r\nContent-Type: application/x-git-upload-pack-request\r\nContent-Length: 2\r\n\r\n${want.toString('latin1')}`);
  b.raw('git POST with bad chunks', `POST ${upload} HTTP/1.1\r\nHost: ${b.host}\r\nConnection: close\r\n${root[0]}: ${root[1]}\r\nContent-Type: application/x-git-upload-pack-request\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n0000\r\n0\r\n\r\n`);
  b.raw('git GET with body', `GET ${refs('git-upload-pack')} HTTP/1.1\r\nHost: ${b.host}\r\nConnection: close\r\n${root[0]}: ${root[1]}\r\nContent-Length: 4\r\n\r\n0000`);
}

export function gitCatalogue(fx: Fixtures, host: string): FuzzRequest[] {
  const b = new RequestList(host);
  repository(b, fx);
  protectedBranches(b, fx);
  smartHttp(b, fx);
  return b.out;
}
