/**
 * Where the malformed-request test aims: the fixtures it creates first (`malformed-fixtures.ts`), the
 * route templates with their body fields and their own query fragments, the malformed values for
 * each kind of path slot, and a small builder the hand-picked catalogues share.
 */
import type { FuzzRequest } from './raw-http.js';
import { ROOT_TOKEN } from './server.js';

/** What the test creates before the first malformed request, so that some ids and paths exist. */
export interface Fixtures {
  root: { id: number; username: string };
  user: { id: number; username: string; token: string };
  readOnly: { id: number; username: string; token: string };
  revokedToken: string;
  userTokenId: number;
  groups: Array<{ id: number; full_path: string }>;
  projects: Array<{ id: number; path_with_namespace: string }>;
  /** A private project with pushed commits (its own slot, so no random DELETE /projects/:id removes it). */
  repo: {
    id: number;
    path_with_namespace: string;
    /** The head of `main`, then the first commit. */
    shas: string[];
    branches: string[];
    tags: string[];
    files: string[];
  };
  /** Pipelines of the repository project. */
  pipelines: number[];
  /** CI/CD variable keys of the repository project and of `groups[0]`. */
  variables: { project: string[]; group: string[] };
  /** Protected branch names (patterns included) of the repository project. */
  protectedBranches: string[];
}

export interface RouteTemplate {
  path: string;
  methods: string[];
  fields?: string[];
  /** Query fragments that matter to this route, drawn more often than the generic ones. */
  queries?: string[];
  /** Git smart HTTP: pkt-line bodies and HTTP Basic credentials. */
  git?: boolean;
}

const PIPELINE_QUERIES = [
  'status=x', 'status=running', 'status[]=running', 'status=', 'scope=x', 'scope=finished', 'scope=tags', 'scope=branches', 'scope[]=tags',
  'updated_after=notadate', 'updated_after=2016-12-31T23:59:60Z', 'updated_after=2024-02-30T00:00:00Z', 'updated_after=0000-01-01T00:00:00Z',
  'updated_after=9999-12-31T23:59:59Z', 'updated_after=2024-01-01T00:00:00+23:59', 'updated_after[]=2024-01-01T00:00:00Z', 'updated_before=%00',
  'updated_before=1', 'updated_before=2024-01-01', 'updated_before=-271821-04-20T00:00:00Z', 'updated_before=275760-09-13T00:00:00.001Z',
  'order_by=x', 'order_by=status', 'order_by=updated_at', 'order_by=user_id', 'order_by=ref', 'order_by[]=id', 'order_by=constructor',
  'sort=x', 'sort=asc', 'sort[]=asc', 'username=%00', 'username[]=root', 'username=root', 'yaml_errors=maybe', 'yaml_errors=true',
  'ref=main', 'ref[]=main', `ref=${'r'.repeat(2000)}`, 'sha=x', `sha=${'f'.repeat(100)}`, 'source=push', 'source[a]=1', 'name=%FF',
];
const VARIABLE_QUERIES = [
  'filter[environment_scope]=production', 'filter[environment_scope]=*', 'filter[environment_scope]=', 'filter=x', 'filter[]=x',
  'filter[environment_scope][]=x', 'filter[environment_scope][a]=1', `filter[environment_scope]=${'e'.repeat(300)}`, 'filter[x]=1',
  'filter[environment_scope]=%00', 'filter[environment_scope]=%FF',
];
const LINT_QUERIES = [
  'dry_run=maybe', 'dry_run=true', 'dry_run[]=true', 'include_jobs=maybe', 'include_jobs=true', 'ref=-x', 'ref[]=main', `ref=${'r'.repeat(1100)}`,
  'content_ref=x', 'dry_run_ref=..', 'dry_run=true&dry_run_ref=%00', 'dry_run=1&dry_run_ref=refs%2Fheads%2F..%2Fx', 'dry_run=true&ref=v1.0',
];
const REF_QUERIES = [
  'ref=main', 'ref=', 'ref=-n', 'ref=--output=/tmp/x', 'ref=..', 'ref=main..HEAD', 'ref=HEAD~1', 'ref=main^{tree}', 'ref=main:README.md',
  'ref=@{-1}', 'ref=refs%2Fheads%2Fmain', 'ref[]=main', 'ref[a]=1', `ref=${'r'.repeat(1100)}`, 'ref=%FF', 'ref=v1.0', `ref=${'0'.repeat(40)}`,
  `ref=${'a'.repeat(64)}`, 'ref_name=main', 'ref_name=-x', 'ref_name[]=x', 'ref_name=..%2F..', `ref_name=${'f'.repeat(40)}`, 'ref_name=%0A',
];
const GIT_SERVICES = [
  'service=git-upload-pack', 'service=git-upload-pack', 'service=git-receive-pack', 'service=git-upload-archive', 'service=', 'service=junk',
  'service[]=git-upload-pack', 'service=git-upload-pack&service=git-receive-pack', 'service=%FF', 'service=git-upload-pack%0A',
  'service=..%2F..%2Fgit-upload-pack', 'service=GIT-UPLOAD-PACK', `service=${'s'.repeat(5000)}`,
];

const PIPELINE_FIELDS = ['ref', 'variables'];
const VARIABLE_FIELDS = ['key', 'value', 'variable_type', 'protected', 'masked', 'raw', 'environment_scope', 'description', 'filter'];
const LINT_FIELDS = ['content', 'dry_run', 'include_jobs', 'ref'];
const PROTECT_FIELDS = ['name', 'push_access_level', 'merge_access_level', 'allow_force_push'];

export const ROUTES: RouteTemplate[] = [
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
  // Pipelines.
  { path: '/api/v4/projects/{rpid}/pipeline', methods: ['POST'], fields: PIPELINE_FIELDS },
  { path: '/api/v4/projects/{rpid}/pipelines', methods: ['GET'], queries: PIPELINE_QUERIES },
  { path: '/api/v4/projects/{rpid}/pipelines/latest', methods: ['GET'], queries: REF_QUERIES },
  { path: '/api/v4/projects/{rpid}/pipelines/{plid}', methods: ['GET', 'GET', 'GET', 'DELETE'] },
  { path: '/api/v4/projects/{rpid}/pipelines/{plid}/cancel', methods: ['POST'] },
  { path: '/api/v4/projects/{rpid}/pipelines/{plid}/retry', methods: ['POST'] },
  { path: '/api/v4/projects/{rpid}/pipelines/{plid}/variables', methods: ['GET'] },
  // CI/CD variables.
  { path: '/api/v4/projects/{rpid}/variables', methods: ['GET', 'POST'], fields: VARIABLE_FIELDS },
  { path: '/api/v4/projects/{rpid}/variables/{pkey}', methods: ['GET', 'PUT', 'DELETE'], fields: VARIABLE_FIELDS, queries: VARIABLE_QUERIES },
  { path: '/api/v4/groups/{gid}/variables', methods: ['GET', 'POST'], fields: VARIABLE_FIELDS },
  { path: '/api/v4/groups/{gid}/variables/{gkey}', methods: ['GET', 'PUT', 'DELETE'], fields: VARIABLE_FIELDS, queries: VARIABLE_QUERIES },
  // CI Lint.
  { path: '/api/v4/projects/{rpid}/ci/lint', methods: ['POST', 'POST', 'GET'], fields: LINT_FIELDS, queries: LINT_QUERIES },
  // Repository.
  { path: '/api/v4/projects/{rpid}/repository/commits', methods: ['GET'], queries: REF_QUERIES },
  { path: '/api/v4/projects/{rpid}/repository/commits/{sha}', methods: ['GET'] },
  { path: '/api/v4/projects/{rpid}/repository/files/{fpath}/raw', methods: ['GET'], queries: REF_QUERIES },
  { path: '/api/v4/projects/{rpid}/repository/branches', methods: ['GET'] },
  { path: '/api/v4/projects/{rpid}/repository/tags', methods: ['GET'] },
  // Protected branches.
  { path: '/api/v4/projects/{rpid}/protected_branches', methods: ['GET', 'POST'], fields: PROTECT_FIELDS, queries: ['search=%00', 'search=*', 'search[]=x', `search=${'s'.repeat(300)}`, 'search=%25'] },
  { path: '/api/v4/projects/{rpid}/protected_branches/{branch}', methods: ['GET', 'GET', 'DELETE'] },
  // Git smart HTTP (the catch-all route).
  { path: '/{repo}.git/info/refs', methods: ['GET', 'GET', 'HEAD'], queries: GIT_SERVICES, git: true },
  { path: '/{repo}/info/refs', methods: ['GET'], queries: GIT_SERVICES, git: true },
  { path: '/{repo}.git/git-upload-pack', methods: ['POST'], git: true },
  { path: '/{repo}.git/git-receive-pack', methods: ['POST'], git: true },
  { path: '/{repo}.git/{gitjunk}', methods: ['GET', 'POST'], queries: GIT_SERVICES, git: true },
];

export const ALL_FIELDS = [...new Set(ROUTES.flatMap((r) => r.fields ?? []))];
export const EXTRA_FIELDS = ['id', 'unknown_field', '__proto__', 'constructor', 'private_token', 'sudo', 'is_admin', ''];

/** Malformed values for the slots that are not plain ids (`BAD_IDS` covers those). */
export const BAD_SLOT_VALUES: Record<string, string[]> = {
  plid: ['0', '-1', '2147483648', '9223372036854775808', '1.5', '1e3', 'abc', '%00', 'latest', '%20', '0x10', '+1', ' 1', '1%00'],
  pkey: ['A%20B', 'a-b', '__proto__', 'constructor', 'hasOwnProperty', '%00', '%C3%BC', 'x'.repeat(300), '%2E%2E', '*', '%25', 'A%2FB', '%FF'],
  sha: [
    'HEAD', 'HEAD~1', 'HEAD^', '..', 'main..HEAD', '-n', '--all', '--output=%2Ftmp%2Fx', '%00', 'a'.repeat(41), '0'.repeat(40), 'f'.repeat(64),
    'refs%2Fheads%2Fmain', 'refs%2Fheads%2F..%2Fx', '@{-1}', 'HEAD@{0}', ':%2Fmessage', 'main^{tree}', 'main:README.md', 'x'.repeat(1100),
    '%FF', '%0A', 'main%0A', 'main.lock', '.main', 'v1.0^{}', '%2A', 'FETCH_HEAD', 'ORIG_HEAD', 'refs%2Fstash',
  ],
  fpath: [
    '..%2F..%2Fetc%2Fpasswd', '%2E%2E', '..', '.', 'a%00b', '.git%2Fconfig', '%2Fetc%2Fpasswd', 'README.md%2F', 'docs%2F%2Fguide.md', '-',
    '--output=x', '%3AREADME.md', 'README.md%0A', 'docs%2F..%2FREADME.md', 'docs%2F.%2Fguide.md', '%FF', '%C0%AE%C0%AE%2F', 'x'.repeat(3000),
    'HEAD%3AREADME.md', '*', '%2A%2A%2F*', 'docs',
  ],
  branch: ['*', '**', '-x', 'HEAD', '%2F', 'a..b', 'a.lock', '@{', 'a%20b', '%00', 'x'.repeat(300), '%FF', 'release%2F', '%2Frelease', '..'],
  repo: [
    '..', '..%2F..', '../..', '../../etc/passwd', 'a/../b', 'root/..', '.git', 'x', '%2e%2e/%2e%2e/x', 'a//b', '/', '', 'a/./b', 'a/.b',
    'a/b.', 'a/b.lock', '-x/y', 'a/%00', 'a/%0A', 'a/%FF', 'a%2Fb', `a/${'b'.repeat(300)}`, `${'a/'.repeat(400)}b`, 'a/b c', 'a/b?c', '~root/x',
    'a/b.git', 'a/b.git/info', 'a/b/info/refs',
  ],
  gitjunk: ['HEAD', 'objects/info/packs', 'info/refs/', 'info//refs', 'info/refs%00', 'git-upload-archive', 'git-upload-pack/x', 'info', '..', 'config'],
};

// ---------------------------------------------------------------------------------------------
// Building hand-picked requests

export type Header = [string, string];

/** The catalogues' request list: `Host`, `Connection: close` and (unless told otherwise) the root token on every request. */
export class RequestList {
  readonly out: FuzzRequest[] = [];
  constructor(readonly host: string) {}

  headers(token: string | null = ROOT_TOKEN, ...extra: Header[]): Header[] {
    return [['Host', this.host], ['Connection', 'close'], ...(token === null ? [] : ([['PRIVATE-TOKEN', token]] as Header[])), ...extra];
  }

  send(label: string, method: string, path: string, headers: Header[] = this.headers()): void {
    this.out.push({ kind: 'http', label, method, path, headers });
  }

  get(label: string, path: string, headers: Header[] = this.headers()): void {
    this.send(label, 'GET', path, headers);
  }

  /** A body sent as is; `contentType` null sends none. */
  body(label: string, method: string, path: string, contentType: string | null, body: string | Buffer, headers: Header[] = this.headers(), chunked = false): void {
    const buf = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
    const h: Header[] = [...headers];
    if (contentType !== null) h.push(['Content-Type', contentType]);
    if (chunked) h.push(['Transfer-Encoding', 'chunked']);
    else h.push(['Content-Length', String(buf.length)]);
    this.out.push({ kind: 'http', label, method, path, headers: h, body: buf, chunked });
  }

  /** A JSON body: a value (stringified) or text that is already JSON (sent verbatim). */
  json(label: string, method: string, path: string, value: unknown, headers?: Header[]): void {
    this.body(label, method, path, 'application/json', typeof value === 'string' ? value : JSON.stringify(value), headers);
  }

  form(label: string, method: string, path: string, text: string, headers?: Header[]): void {
    this.body(label, method, path, 'application/x-www-form-urlencoded', text, headers);
  }

  raw(label: string, text: string): void {
    this.out.push({ kind: 'raw', label, bytes: Buffer.from(text, 'latin1') });
  }
}

/** `Authorization: Basic base64(user:password)` from raw bytes (latin1), so NULs and invalid UTF-8 survive. */
export const basicAuth = (credentials: string): Header => ['Authorization', `Basic ${Buffer.from(credentials, 'latin1').toString('base64')}`];

/** `n` bytes of deterministic noise (an LCG), so a seed replays the very same bodies. */
export function noise(n: number, seed = 1): Buffer {
  const out = Buffer.alloc(n);
  let x = seed >>> 0;
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}
