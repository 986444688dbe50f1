/**
 * Who may download artifacts, table-driven (issue #7): every download route (archive by job, archive by
 * ref, file by job, file by ref) × visibility × `public_jobs` × `artifacts:access` × caller (anonymous,
 * non-member, guest, reporter, developer, maintainer, admin, and job tokens: the project's own running
 * job, a job of a project on the allowlist, a job of a project outside it) is sent to the server and
 * compared with `expected`, a small pure mirror of GitLab's rules as the reference states them
 * (gitlab-jobs-api-behavior.md §1.2, §5.4, §8.5). The oracle never calls the server's policy code.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ServiceContext } from '../../src/services/context.js';
import { makeZip, runWithArtifacts, startWithToken } from '../helpers/artifacts.js';
import { DIALECTS } from '../helpers/databases.js';
import { addMember, createProject, createUser } from '../helpers/fixtures.js';
import { jobNamed, pushPipeline } from '../helpers/pipelines.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

// ---------------------------------------------------------------------------------------------
// The oracle.
// ---------------------------------------------------------------------------------------------

const CALLERS = ['anonymous', 'non-member', 'guest', 'reporter', 'developer', 'maintainer', 'admin', 'token-own', 'token-allowed', 'token-outside'] as const;
type Caller = (typeof CALLERS)[number];
type Visibility = 'private' | 'internal' | 'public';
type Access = 'all' | 'developer' | 'none';
type Route = 'archive-by-job' | 'archive-by-ref' | 'file-by-job' | 'file-by-ref';
const ROUTES: Route[] = ['archive-by-job', 'archive-by-ref', 'file-by-job', 'file-by-ref'];
const ACCESSES: Access[] = ['all', 'developer', 'none'];

interface ProjectSpec {
  visibility: Visibility;
  publicJobs: boolean;
}

const LEVEL: Record<string, number> = { anonymous: 0, 'non-member': 0, guest: 10, reporter: 20, developer: 30, maintainer: 40, admin: 50 };

/**
 * §1.2 then §8.5: the project must be visible (404 Project Not Found), then `read_build` (403), then the
 * archive's access level: `all` for every reader of the job, `developer` for Developers and above, `none`
 * for no one through these routes (403). Job tokens act as the job's user (here an administrator) when the
 * target project is their own or allows theirs; from outside the allowlist they are refused (403) on a
 * private or internal project and count as anonymous on a public one (§5.4).
 */
function expected(project: ProjectSpec, caller: Caller, access: Access): number {
  let who: string = caller;
  if (caller === 'token-outside') {
    if (project.visibility !== 'public') return 403;
    who = 'anonymous';
  } else if (caller === 'token-own' || caller === 'token-allowed') {
    who = 'admin';
  }
  const signedIn = who !== 'anonymous';
  const level = LEVEL[who];
  const readProject = project.visibility === 'public' || (project.visibility === 'internal' && signedIn) || level >= 10;
  if (!readProject) return 404;
  const readBuild = level >= 20 || project.publicJobs;
  if (!readBuild) return 403;
  if (access === 'none') return 403;
  if (access === 'developer' && level < 30) return 403;
  return 200;
}

// ---------------------------------------------------------------------------------------------
// The fixture: six projects (visibility × public_jobs), each with one successful pipeline on main whose
// jobs `all`, `developer` and `none` uploaded the same archive with that access level.
// ---------------------------------------------------------------------------------------------

const FILE = 'dist/report.txt';
const ZIP = makeZip([{ name: 'dist/', mode: 0o40755 }, { name: FILE, data: 'artifact body\n' }]);
const CONFIG = `${ACCESSES.map((a) => `${a}:\n  script: make\n  artifacts:\n    access: ${a}\n    paths: [dist/]\n`).join('')}`;
const HOLDER = 'holder:\n  script: sleep 1000\n';

for (const dialect of DIALECTS) {
  describe(`artifact download permissions (${dialect})`, () => {
    let t: TestServer;
    let ctx: ServiceContext;
    const tokens: Partial<Record<Caller, string>> = {};
    const jobTokens: Record<string, { own: string }> = {};
    let allowedToken = '';
    let outsideToken = '';
    const projects: Array<{ spec: ProjectSpec; project: any; jobs: Record<Access, number> }> = [];

    before(async () => {
      t = await startTestServer(dialect);
      ctx = t.server.app.ctx;
      const users: Record<string, { id: number; token: string }> = {};
      for (const role of ['non-member', 'guest', 'reporter', 'developer', 'maintainer']) users[role] = await createUser(t);
      users.admin = await createUser(t, { admin: true });
      for (const [role, user] of Object.entries(users)) tokens[role as Caller] = user.token;

      const source = async () => {
        const project = await createProject(t, { visibility: 'private' });
        const pipeline = await pushPipeline(t, project, { '.gitlab-ci.yml': HOLDER });
        return { project, token: (await startWithToken(ctx, await jobNamed(ctx, pipeline.id, 'holder'))).token };
      };
      const allowed = await source();
      const outside = await source();
      allowedToken = allowed.token;
      outsideToken = outside.token;

      for (const visibility of ['private', 'internal', 'public'] as const) {
        for (const publicJobs of [false, true]) {
          const project = await createProject(t, { visibility, public_jobs: publicJobs });
          for (const role of ['guest', 'reporter', 'developer', 'maintainer']) await addMember(t, project.id, users[role].id, LEVEL[role]);
          const pipeline = await pushPipeline(t, project, { '.gitlab-ci.yml': CONFIG });
          const jobs = {} as Record<Access, number>;
          for (const access of ACCESSES) {
            jobs[access] = (await runWithArtifacts(t, await jobNamed(ctx, pipeline.id, access), [{ body: ZIP, query: { expire_in: 'never' } }])).id;
          }
          const holder = await pushPipeline(t, project, { '.gitlab-ci.yml': HOLDER }, 'tokens');
          jobTokens[project.id] = { own: (await startWithToken(ctx, await jobNamed(ctx, holder.id, 'holder'))).token };
          const listed = await t.api('POST', `/projects/${project.id}/job_token_scope/allowlist`, { body: { target_project_id: allowed.project.id } });
          assert.equal(listed.status, 201, listed.text);
          projects.push({ spec: { visibility, publicJobs }, project, jobs });
        }
      }
    });
    after(() => t.close());

    function url(route: Route, projectId: number, access: Access, jobId: number): string {
      switch (route) {
        case 'archive-by-job':
          return `/projects/${projectId}/jobs/${jobId}/artifacts`;
        case 'file-by-job':
          return `/projects/${projectId}/jobs/${jobId}/artifacts/${FILE}`;
        case 'archive-by-ref':
          return `/projects/${projectId}/jobs/artifacts/main/download?job=${access}`;
        case 'file-by-ref':
          return `/projects/${projectId}/jobs/artifacts/main/raw/${FILE}?job=${access}`;
      }
    }

    function headersFor(caller: Caller, projectId: number): Record<string, string> {
      switch (caller) {
        case 'anonymous':
          return {};
        case 'token-own':
          return { 'JOB-TOKEN': jobTokens[projectId].own };
        case 'token-allowed':
          return { 'JOB-TOKEN': allowedToken };
        case 'token-outside':
          return { 'JOB-TOKEN': outsideToken };
        default:
          return { 'PRIVATE-TOKEN': tokens[caller]! };
      }
    }

    for (const route of ROUTES) {
      it(`${route}: every visibility × public_jobs × artifacts:access × caller`, async () => {
        const mismatches: string[] = [];
        let checked = 0;
        for (const { spec, project, jobs } of projects) {
          for (const access of ACCESSES) {
            await Promise.all(CALLERS.map(async (caller) => {
              const want = expected(spec, caller, access);
              const res = await fetch(`${t.apiUrl}${url(route, project.id, access, jobs[access])}`, { headers: headersFor(caller, project.id) });
              const body = Buffer.from(await res.arrayBuffer());
              checked++;
              const label = `${spec.visibility}${spec.publicJobs ? '+public_jobs' : ''} access:${access} ${caller}`;
              if (res.status !== want) {
                mismatches.push(`${label}: ${res.status} (want ${want}) ${body.toString().slice(0, 120)}`);
                return;
              }
              if (want === 200) {
                const bytes = route.startsWith('archive') ? ZIP : Buffer.from('artifact body\n');
                if (!body.equals(bytes)) mismatches.push(`${label}: 200 with the wrong bytes`);
              } else if (want === 404 && JSON.parse(body.toString()).message !== '404 Project Not Found') {
                mismatches.push(`${label}: 404 with ${body.toString()}`);
              } else if (want === 403 && caller === 'token-outside' && spec.visibility !== 'public') {
                const message = JSON.parse(body.toString()).message as string;
                if (!message.startsWith('403 Forbidden - Authentication by CI/CD job token not allowed from')) mismatches.push(`${label}: 403 with ${message}`);
              }
            }));
          }
        }
        assert.equal(checked, projects.length * ACCESSES.length * CALLERS.length);
        assert.deepEqual(mismatches, []);
      });
    }

    it('the oracle is not vacuous: each route answers 200, 403 and 404 somewhere, and job tokens differ by allowlist', () => {
      const outcomes = new Set<number>();
      for (const { spec } of projects) for (const access of ACCESSES) for (const caller of CALLERS) outcomes.add(expected(spec, caller, access));
      assert.deepEqual([...outcomes].sort(), [200, 403, 404]);
      const priv = { visibility: 'private' as const, publicJobs: false };
      assert.equal(expected(priv, 'token-allowed', 'all'), 200);
      assert.equal(expected(priv, 'token-outside', 'all'), 403);
      assert.equal(expected({ visibility: 'public', publicJobs: true }, 'token-outside', 'all'), 200);
    });
  });
}
