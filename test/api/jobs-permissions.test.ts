/**
 * Who may call which Jobs endpoint, table-driven: every visibility × public_jobs × caller × endpoint is sent
 * to the server and compared with `expectedOutcome`, a small pure mirror of GitLab 17.x's rules as the
 * reference states them (gitlab-jobs-api-behavior.md §1.2 order of checks, §2 auth hooks, §5, §6).
 * The oracle never calls the server's own policy code.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ServiceContext } from '../../src/services/context.js';
import type { Job } from '../../src/store/jobs-repository.js';
import { DIALECTS } from '../helpers/databases.js';
import { addMember, createGroup, createProject, createUser } from '../helpers/fixtures.js';
import { jobsOf, pushPipeline, runJob } from '../helpers/pipelines.js';
import { startTestServer, type ApiResponse, type TestServer } from '../helpers/server.js';

// ---------------------------------------------------------------------------------------------
// The oracle: GitLab's rules, written out from the reference (no server code involved).
// ---------------------------------------------------------------------------------------------

const CALLERS = ['anonymous', 'non-member', 'guest', 'reporter', 'developer', 'maintainer', 'owner', 'admin'] as const;
type Caller = (typeof CALLERS)[number];
type Visibility = 'private' | 'internal' | 'public';
type Endpoint = 'list' | 'get' | 'trace' | 'cancel' | 'retry' | 'erase' | 'play' | 'pipeline_jobs' | 'pipeline_bridges';

interface ProjectSpec {
  visibility: Visibility;
  publicJobs: boolean;
}

/** A protected-branch rule: the least level that may push / merge (0 = no one). */
interface BranchRule {
  push: number;
  merge: number;
}

/** What the per-job rules (§6.2) look at: who triggered the job and how its ref is protected. */
interface JobFacts {
  own: boolean;
  rule: BranchRule | null;
}

/** Membership levels; an admin is no member (ProjectPolicy gives admins `owner_access` separately). */
const MEMBER_LEVEL: Record<Caller, number> = { anonymous: 0, 'non-member': 0, guest: 10, reporter: 20, developer: 30, maintainer: 40, owner: 50, admin: 0 };

interface Abilities {
  readProject: boolean;
  readBuild: boolean;
  readPipeline: boolean;
  updateBuild: boolean;
  cancelBuild: boolean;
  adminBuild: boolean;
}

/** §6.1, the ProjectPolicy role table. */
function abilities(project: ProjectSpec, caller: Caller): Abilities {
  const signedIn = caller !== 'anonymous';
  const level = caller === 'admin' ? 50 : MEMBER_LEVEL[caller];
  // `anonymous & ~public_project` → prevent_all: nothing at all (so 404 Project Not Found).
  if (!signedIn && project.visibility !== 'public') {
    return { readProject: false, readBuild: false, readPipeline: false, updateBuild: false, cancelBuild: false, adminBuild: false };
  }
  // Signed-in callers on public and internal projects count as guests (`public_user_access`).
  const publicUserAccess = signedIn && project.visibility !== 'private';
  const publicAccess = project.visibility === 'public' || publicUserAccess;
  const guest = level >= 10 || publicUserAccess;
  const reporter = level >= 20;
  return {
    readProject: guest || publicAccess,
    readBuild: reporter || project.publicJobs,
    readPipeline: reporter || publicAccess || (project.publicJobs && guest),
    updateBuild: level >= 30,
    cancelBuild: level >= 30,
    adminBuild: level >= 40,
  };
}

/**
 * GitLab's `can_update_branch?` (push or merge): on an unprotected ref, `push_code` (Developer+); on a
 * protected one, a matching rule must let the caller's membership level push or merge. Admins are not
 * modelled on protected refs (see the report: GitLab 17.x grants them nothing there by rank alone).
 */
function canUpdateRef(caller: Caller, rule: BranchRule | null): boolean {
  const pushCode = caller === 'admin' || MEMBER_LEVEL[caller] >= 30;
  if (rule === null) return pushCode;
  const allows = (required: number) => required !== 0 && MEMBER_LEVEL[caller] >= required;
  return pushCode && (allows(rule.push) || allows(rule.merge));
}

interface Expectation {
  status: number;
  body?: unknown;
  /** For 200 lists: whether items come back (E8 quietly answers [] to pipeline readers without read_build). */
  list?: 'items' | 'empty';
}

const UNAUTHORIZED = { status: 401, body: { message: '401 Unauthorized' } };
const PROJECT_NOT_FOUND = { status: 404, body: { message: '404 Project Not Found' } };
const FORBIDDEN = { status: 403, body: { message: '403 Forbidden' } };
const RECORD_NOT_FOUND = { status: 404, body: { message: '404 Not found' } };

/** §2: `jobs.rb` runs `authenticate!` (401 first); `pipelines.rb` only `authenticate_non_get!`. */
const AUTHENTICATE: ReadonlySet<Endpoint> = new Set(['list', 'get', 'trace', 'cancel', 'retry', 'erase', 'play']);

/** §2, the project-level check each endpoint makes before it looks the job (or pipeline) up. */
const PROJECT_GATE: Record<Endpoint, keyof Abilities> = {
  list: 'readBuild',
  get: 'readBuild',
  trace: 'readBuild',
  play: 'readBuild',
  cancel: 'cancelBuild',
  retry: 'updateBuild',
  erase: 'updateBuild',
  pipeline_jobs: 'readPipeline',
  pipeline_bridges: 'readBuild',
};

/** §1.2's order: 401 → 404 project → 403 project ability → 404 record → 403 job ability (§6.2) → success. */
function expectedOutcome(endpoint: Endpoint, project: ProjectSpec, caller: Caller, target: JobFacts | 'missing'): Expectation {
  if (caller === 'anonymous' && AUTHENTICATE.has(endpoint)) return UNAUTHORIZED;
  const a = abilities(project, caller);
  if (!a.readProject) return PROJECT_NOT_FOUND;
  if (!a[PROJECT_GATE[endpoint]]) return FORBIDDEN;
  if (target === 'missing') return RECORD_NOT_FOUND;
  switch (endpoint) {
    case 'list':
    case 'pipeline_bridges':
      return { status: 200, list: 'items' };
    case 'pipeline_jobs':
      return { status: 200, list: a.readBuild ? 'items' : 'empty' };
    case 'get':
    case 'trace':
      return { status: 200 };
    default:
      break;
  }
  // BuildPolicy: every job write is refused on a ref the caller cannot update.
  const refOk = canUpdateRef(caller, target.rule);
  const allowed = {
    cancel: a.cancelBuild,
    retry: a.updateBuild,
    play: a.updateBuild,
    erase: a.adminBuild || (a.updateBuild && target.own && target.rule === null),
  }[endpoint];
  if (!allowed || !refOk) return FORBIDDEN;
  return { status: endpoint === 'play' ? 200 : 201 };
}

// The oracle against the reference's own quick matrix (§6.3): private project, public_builds off.
describe('jobs permission oracle', () => {
  it('reproduces §6.3 for a private project without public jobs', () => {
    const cols: Caller[] = ['anonymous', 'non-member', 'guest', 'reporter', 'developer', 'maintainer'];
    const table: Array<[Endpoint, number[], JobFacts?]> = [
      ['list', [401, 404, 403, 200, 200, 200]],
      ['get', [401, 404, 403, 200, 200, 200]],
      ['trace', [401, 404, 403, 200, 200, 200]],
      ['pipeline_jobs', [404, 404, 403, 200, 200, 200]],
      ['pipeline_bridges', [404, 404, 403, 200, 200, 200]],
      ['cancel', [401, 404, 403, 403, 201, 201]],
      ['retry', [401, 404, 403, 403, 201, 201]],
      ['erase', [401, 404, 403, 403, 201, 201], { own: true, rule: null }],
      ['erase', [401, 404, 403, 403, 403, 201], { own: false, rule: null }],
      ['play', [401, 404, 403, 403, 200, 200]],
    ];
    for (const [endpoint, statuses, facts] of table) {
      const got = cols.map((c) => expectedOutcome(endpoint, { visibility: 'private', publicJobs: false }, c, facts ?? { own: false, rule: null }).status);
      assert.deepEqual(got, statuses, endpoint);
    }
    // "Public project with public_builds = true: anonymous gets 401 on E1–E7 but 200 on E8, E9."
    const open = { visibility: 'public', publicJobs: true } as const;
    assert.deepEqual(['list', 'play', 'pipeline_jobs', 'pipeline_bridges'].map((e) => expectedOutcome(e as Endpoint, open, 'anonymous', { own: false, rule: null }).status), [401, 401, 200, 200]);
    // "E8 returns 200 [] to users who can read pipelines but not builds."
    assert.deepEqual(expectedOutcome('pipeline_jobs', { visibility: 'public', publicJobs: false }, 'guest', { own: false, rule: null }), { status: 200, list: 'empty' });
    // §6.2: a protected ref the caller cannot push or merge to refuses job writes; Maintainers pass.
    const main = { own: true, rule: { push: 40, merge: 40 } };
    assert.equal(expectedOutcome('cancel', open, 'developer', main).status, 403);
    assert.equal(expectedOutcome('erase', open, 'developer', main).status, 403);
    assert.equal(expectedOutcome('cancel', open, 'maintainer', main).status, 201);
  });
});

// ---------------------------------------------------------------------------------------------
// The server, probed.
// ---------------------------------------------------------------------------------------------

const PROJECTS: ProjectSpec[] = (['private', 'internal', 'public'] as const).flatMap((visibility) => [false, true].map((publicJobs) => ({ visibility, publicJobs })));
const MISSING_ID = 2147483647;
const slug = (c: Caller) => c.replace('-', '_');

/**
 * One pipeline with fresh jobs per caller, so no call changes another's outcome: `cancel_*` pending,
 * `retry_*` finished, `play_*` manual, `erase_own_*` / `erase_other_*` finished with an artifact (the
 * first triggered by the caller). `blocker` stays pending forever, so the bridge stays `created`.
 */
function ciConfig(): string {
  const lines = ['stages: [build, deploy]', 'blocker:', '  stage: build', '  script: wait'];
  for (const caller of CALLERS) {
    const s = slug(caller);
    for (const kind of ['cancel', 'retry', 'erase_own', 'erase_other']) lines.push(`${kind}_${s}:`, '  stage: build', '  script: x');
    lines.push(`play_${s}:`, '  stage: deploy', '  needs: []', '  when: manual', '  script: x');
  }
  lines.push('downstream:', '  stage: deploy', '  trigger:', '    include: ci/child.yml');
  return `${lines.join('\n')}\n`;
}
const FILES = { 'ci/child.yml': 'child:\n  script: x\n', '.gitlab-ci.yml': ciConfig() };

interface Fixture {
  projectId: number;
  pipelineId: number;
  jobs: Map<string, Job>;
}

type Users = Record<Exclude<Caller, 'anonymous'>, { id: number; token: string }>;

async function preparePipeline(t: TestServer, project: any, ref: string, callers: readonly Caller[], users: Users): Promise<Fixture> {
  const ctx: ServiceContext = t.server.app.ctx;
  const pipeline = await pushPipeline(t, project, FILES, ref);
  const jobs = new Map((await jobsOf(ctx, pipeline.id)).map((j) => [j.name, j]));
  for (const caller of callers) {
    const s = slug(caller);
    for (const kind of ['retry', 'erase_own', 'erase_other']) await runJob(ctx, jobs.get(`${kind}_${s}`)!);
    for (const kind of ['erase_own', 'erase_other']) {
      await ctx.store.jobArtifacts.insert({
        projectId: project.id, jobId: jobs.get(`${kind}_${s}`)!.id, fileType: 'archive', fileFormat: 'zip', filename: 'artifacts.zip',
        size: 3, sha256: null, blobKey: null, expireAt: null, locked: false, createdAt: new Date().toISOString(),
      });
    }
    if (caller !== 'anonymous') await ctx.store.jobs.update(jobs.get(`erase_own_${s}`)!.id, { userId: users[caller].id });
  }
  return { projectId: project.id, pipelineId: pipeline.id, jobs };
}

interface Probe {
  endpoint: Endpoint;
  /** A job name of the fixture, or `missing` for an id no job (or pipeline) has. */
  target: string | 'missing' | null;
  own?: boolean;
}

function probesFor(caller: Caller): Probe[] {
  const s = slug(caller);
  return [
    { endpoint: 'list', target: null },
    { endpoint: 'get', target: 'blocker' },
    { endpoint: 'trace', target: 'blocker' },
    { endpoint: 'cancel', target: `cancel_${s}` },
    { endpoint: 'retry', target: `retry_${s}` },
    { endpoint: 'erase', target: `erase_other_${s}` },
    { endpoint: 'erase', target: `erase_own_${s}`, own: caller !== 'anonymous' },
    { endpoint: 'play', target: `play_${s}` },
    { endpoint: 'pipeline_jobs', target: null },
    { endpoint: 'pipeline_bridges', target: null },
    ...(['get', 'trace', 'cancel', 'retry', 'erase', 'play', 'pipeline_jobs', 'pipeline_bridges'] as const).map((endpoint) => ({ endpoint, target: 'missing' })),
  ];
}

function route(endpoint: Endpoint, projectId: number, jobId: number, pipelineId: number): [string, string] {
  switch (endpoint) {
    case 'list': return ['GET', `/projects/${projectId}/jobs`];
    case 'get': return ['GET', `/projects/${projectId}/jobs/${jobId}`];
    case 'trace': return ['GET', `/projects/${projectId}/jobs/${jobId}/trace`];
    case 'pipeline_jobs': return ['GET', `/projects/${projectId}/pipelines/${pipelineId}/jobs`];
    case 'pipeline_bridges': return ['GET', `/projects/${projectId}/pipelines/${pipelineId}/bridges`];
    default: return ['POST', `/projects/${projectId}/jobs/${jobId}/${endpoint}`];
  }
}

/** Sends one probe and returns a description of the disagreement, or null. */
async function check(t: TestServer, users: Users, fx: Fixture, caller: Caller, probe: Probe, expected: Expectation): Promise<string | null> {
  const jobId = probe.target === 'missing' ? MISSING_ID : probe.target === null ? 0 : fx.jobs.get(probe.target)!.id;
  const pipelineId = probe.target === 'missing' ? MISSING_ID : fx.pipelineId;
  const [method, path] = route(probe.endpoint, fx.projectId, jobId, pipelineId);
  const res: ApiResponse = await t.api(method, path, { token: caller === 'anonymous' ? null : users[caller].token });
  const label = `${caller} ${probe.endpoint}${probe.target === 'missing' ? ' (missing)' : probe.own ? ' (own job)' : ''}`;
  if (res.status !== expected.status) return `${label}: expected ${expected.status}, got ${res.status} ${res.text.slice(0, 100)}`;
  if (expected.body !== undefined) {
    try {
      assert.deepEqual(res.body, expected.body);
    } catch {
      return `${label}: expected body ${JSON.stringify(expected.body)}, got ${res.text.slice(0, 100)}`;
    }
  }
  if (expected.list !== undefined) {
    if (!Array.isArray(res.body)) return `${label}: expected an array, got ${res.text.slice(0, 100)}`;
    if ((res.body.length === 0) !== (expected.list === 'empty')) return `${label}: expected ${expected.list}, got ${res.body.length} items`;
  }
  return null;
}

/** Branches of the protected-refs project, pushed before protection; `null` leaves the branch unprotected. */
const BRANCHES: Array<{ ref: string; rule: BranchRule | null }> = [
  { ref: 'main', rule: { push: 40, merge: 40 } },
  { ref: 'feature', rule: null },
  { ref: 'merge-dev', rule: { push: 40, merge: 30 } },
  { ref: 'push-dev', rule: { push: 30, merge: 40 } },
  { ref: 'locked', rule: { push: 0, merge: 0 } },
];
const PROTECTED_CALLERS: Caller[] = ['developer', 'maintainer', 'owner'];

for (const dialect of DIALECTS) {
  describe(`Jobs API permissions (${dialect})`, () => {
    let t: TestServer;
    let users: Users;
    const fixtures = new Map<string, Fixture>();
    const refFixtures = new Map<string, Fixture>();
    const key = (p: ProjectSpec) => `${p.visibility}/${p.publicJobs}`;

    before(async () => {
      t = await startTestServer(dialect);
      const make = async (admin = false) => {
        const u = await createUser(t, { admin });
        return { id: u.id, token: u.token };
      };
      users = {
        'non-member': await make(), guest: await make(), reporter: await make(), developer: await make(),
        maintainer: await make(), owner: await make(), admin: await make(true),
      };
      const group = await createGroup(t, { visibility: 'public' });
      const owned = await t.api('POST', `/groups/${group.id}/members`, { body: { user_id: users.owner.id, access_level: 50 } });
      assert.equal(owned.status, 201, owned.text);
      const newProject = async (spec: ProjectSpec) => {
        const project = await createProject(t, { namespace_id: group.id, visibility: spec.visibility, public_jobs: spec.publicJobs });
        for (const [caller, level] of [['guest', 10], ['reporter', 20], ['developer', 30], ['maintainer', 40]] as const) await addMember(t, project.id, users[caller].id, level);
        return project;
      };
      const refsProject = newProject({ visibility: 'private', publicJobs: false }).then(async (project) => {
        for (const { ref } of BRANCHES) refFixtures.set(ref, await preparePipeline(t, project, ref, PROTECTED_CALLERS, users));
        for (const { ref, rule } of BRANCHES) {
          if (!rule) continue;
          const res = await t.api('POST', `/projects/${project.id}/protected_branches`, { body: { name: ref, push_access_level: rule.push, merge_access_level: rule.merge } });
          assert.equal(res.status, 201, res.text);
        }
      });
      await Promise.all([
        refsProject,
        ...PROJECTS.map(async (spec) => fixtures.set(key(spec), await preparePipeline(t, await newProject(spec), 'main', CALLERS, users))),
      ]);
    });
    after(() => t.close());

    for (const spec of PROJECTS) {
      it(`${spec.visibility} project, public_jobs ${spec.publicJobs ? 'on' : 'off'}: every caller on every endpoint`, async () => {
        const fx = fixtures.get(key(spec))!;
        const failures: string[] = [];
        for (const caller of CALLERS) {
          for (const probe of probesFor(caller)) {
            const target = probe.target === 'missing' ? 'missing' : { own: probe.own === true, rule: null };
            const failure = await check(t, users, fx, caller, probe, expectedOutcome(probe.endpoint, spec, caller, target));
            if (failure) failures.push(failure);
          }
        }
        assert.deepEqual(failures, []);
      });
    }

    it('protected branches refuse job writes to callers who can neither push nor merge there', async () => {
      const spec: ProjectSpec = { visibility: 'private', publicJobs: false };
      const failures: string[] = [];
      for (const { ref, rule } of BRANCHES) {
        const fx = refFixtures.get(ref)!;
        for (const caller of PROTECTED_CALLERS) {
          const s = slug(caller);
          const probes: Probe[] = [
            { endpoint: 'cancel', target: `cancel_${s}` },
            { endpoint: 'retry', target: `retry_${s}` },
            { endpoint: 'play', target: `play_${s}` },
            { endpoint: 'erase', target: `erase_own_${s}`, own: true },
            { endpoint: 'erase', target: `erase_other_${s}` },
          ];
          for (const probe of probes) {
            const failure = await check(t, users, fx, caller, probe, expectedOutcome(probe.endpoint, spec, caller, { own: probe.own === true, rule }));
            if (failure) failures.push(`${ref}: ${failure}`);
          }
        }
      }
      assert.deepEqual(failures, []);
    });

    it('spells out the protected-main cases: Developers refused on main but not on a feature branch, Maintainers pass', async () => {
      // Already covered by the table above; kept literal so the rule reads without the oracle.
      const main = refFixtures.get('main')!;
      const feature = refFixtures.get('feature')!;
      const fresh = await t.api('POST', `/projects/${main.projectId}/jobs/${main.jobs.get('cancel_developer')!.id}/cancel`, { token: users.developer.token });
      assert.deepEqual([fresh.status, fresh.body], [403, { message: '403 Forbidden' }]);
      const onFeature = await t.api('POST', `/projects/${feature.projectId}/jobs/${feature.jobs.get('cancel_developer')!.id}/cancel`, { token: users.developer.token });
      assert.equal(onFeature.status, 201);
      const maintainer = await t.api('POST', `/projects/${main.projectId}/jobs/${main.jobs.get('cancel_maintainer')!.id}/cancel`, { token: users.maintainer.token });
      assert.equal(maintainer.status, 201);
    });
  });
}
