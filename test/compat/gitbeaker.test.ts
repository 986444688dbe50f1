// Client compatibility: @gitbeaker/rest 43 (fetch-based, ESM) against a real server.
//
// Each dialect gets its own server with 250 bulk projects made in `before`; the tests then use the
// library the way applications do: current user, metadata, groups, projects by path, users,
// members, offset pagination (all pages and maxPages with paginationInfo), keyset pagination and
// the errors it throws.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Gitlab, GitbeakerRequestError } from '@gitbeaker/rest';
import type { KeysetPagination, OffsetPagination } from '@gitbeaker/rest';
import { DIALECTS } from '../helpers/databases.js';
import { createGroup, unique } from '../helpers/fixtures.js';
import { ROOT_TOKEN, startTestServer, type TestServer } from '../helpers/server.js';

const BULK_PROJECTS = 250;

async function createBulkProjects(t: TestServer, count: number): Promise<number[]> {
  const group = await createGroup(t, { name: 'Bulk', path: unique('bulk') });
  const ids: number[] = new Array(count);
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      const res = await t.api('POST', '/projects', { body: { name: `bulk-${String(i).padStart(3, '0')}`, namespace_id: group.id } });
      assert.equal(res.status, 201, res.text);
      ids[i] = res.body.id;
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  return ids;
}

/** Every request gitbeaker sends, through a wrapper around the global fetch it uses. */
function recordFetches(): { requests: Array<{ method: string; url: string; status: number }>; restore(): void } {
  const original = globalThis.fetch;
  const requests: Array<{ method: string; url: string; status: number }> = [];
  globalThis.fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = input instanceof Request ? input : new Request(input, init);
    const response = await original(input, init);
    requests.push({ method: request.method, url: request.url, status: response.status });
    return response;
  };
  return { requests, restore: () => void (globalThis.fetch = original) };
}

async function rejection(promise: Promise<unknown>): Promise<GitbeakerRequestError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof GitbeakerRequestError, `expected a GitbeakerRequestError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected the request to fail');
}

function assertCompleteAndDistinct(ids: number[], expected: Set<number>, label: string) {
  assert.equal(new Set(ids).size, ids.length, `${label}: duplicate ids`);
  assert.equal(ids.length, expected.size, `${label}: expected ${expected.size} projects, got ${ids.length}`);
  const missing = [...expected].filter((id) => !ids.includes(id));
  assert.deepEqual(missing, [], `${label}: missing ids`);
}

const isDescending = (ids: number[]) => ids.every((id, i) => i === 0 || ids[i - 1] > id);
const isAscending = (ids: number[]) => ids.every((id, i) => i === 0 || ids[i - 1] < id);

for (const dialect of DIALECTS) {
  describe(`@gitbeaker/rest 43 compatibility (${dialect})`, () => {
    let t: TestServer;
    let api: Gitlab;
    let bulkIds: number[];
    const suffix = unique('gb').toLowerCase();
    /** Everything root can see once the flow below has run: the bulk projects and the one it makes. */
    const expected = new Set<number>();
    const made: { groupId?: number; subId?: number; projectId?: number; projectPath?: string; userId?: number } = {};

    before(async () => {
      t = await startTestServer(dialect);
      api = new Gitlab({ host: t.url, token: ROOT_TOKEN });
      bulkIds = await createBulkProjects(t, BULK_PROJECTS);
      for (const id of bulkIds) expected.add(id);
    });
    after(() => t?.close());

    it('Users.showCurrentUser() returns root', async () => {
      const me = await api.Users.showCurrentUser();
      assert.equal(me.username, 'root');
      assert.equal(me.is_admin, true);
      assert.equal(me.web_url, `${t.url}/root`);
    });

    it('Metadata.show() returns the version, revision, kas and enterprise fields', async () => {
      const meta = await api.Metadata.show();
      assert.match(meta.version, /^\d+\.\d+\.\d+/);
      assert.equal(typeof meta.revision, 'string');
      assert.equal(meta.kas.enabled, false);
      assert.equal(meta.enterprise, false);
    });

    it('creates a group and a subgroup (Groups.create with parentId)', async () => {
      const group = await api.Groups.create(`Compat ${suffix}`, `compat-${suffix}`);
      assert.equal(group.full_path, `compat-${suffix}`);
      const sub = await api.Groups.create('Sub', 'sub', { parentId: group.id });
      assert.equal(sub.full_path, `compat-${suffix}/sub`);
      assert.equal(sub.parent_id, group.id);
      const shown = await api.Groups.show(`compat-${suffix}/sub`);
      assert.equal(shown.id, sub.id);
      made.groupId = group.id;
      made.subId = sub.id;
    });

    it('creates a project in the subgroup (Projects.create with namespaceId) and shows it by path', async () => {
      assert.ok(made.subId, 'needs the subgroup');
      const project = await api.Projects.create({ name: 'Beaker Project', path: 'beaker-project', namespaceId: made.subId });
      assert.equal(project.path_with_namespace, `compat-${suffix}/sub/beaker-project`);
      assert.equal(project.namespace.id, made.subId);
      expected.add(project.id);
      made.projectId = project.id;
      made.projectPath = project.path_with_namespace;
      const shown = await api.Projects.show(`compat-${suffix}/sub/beaker-project`);
      assert.equal(shown.id, project.id);
      assert.equal(shown.name_with_namespace, `Compat ${suffix} / Sub / Beaker Project`);
    });

    it('creates a user and adds them as a Developer (ProjectMembers.add(projectId, 30, { userId }))', async () => {
      assert.ok(made.projectId, 'needs the project');
      const user = await api.Users.create({ username: `gb-${suffix}`, name: 'Beaker User', email: `gb-${suffix}@example.com`, password: 'a-long-password-1234' });
      assert.equal(user.username, `gb-${suffix}`);
      made.userId = user.id;
      const member = await api.ProjectMembers.add(made.projectId, 30, { userId: user.id });
      assert.equal(member.id, user.id);
      assert.equal(member.access_level, 30);
      const byPath = await api.ProjectMembers.add(made.projectPath!, 30, { userId: user.id }).then(
        () => null,
        (e: unknown) => e,
      );
      assert.ok(byPath instanceof GitbeakerRequestError, 'adding the same member twice fails');
      assert.equal(byPath.cause?.response.status, 409);
      assert.equal(byPath.cause?.description, 'Member already exists');
    });

    it('lists direct members and, with includeInherited, root as Owner through the groups', async () => {
      assert.ok(made.projectId && made.userId, 'needs the project and the member');
      const direct = await api.ProjectMembers.all(made.projectId);
      assert.deepEqual(direct.map((m) => [m.id, m.access_level]), [[made.userId, 30]]);
      const all = await api.ProjectMembers.all(made.projectId, { includeInherited: true });
      const root = await api.Users.showCurrentUser();
      const levels = (rows: ReadonlyArray<{ id: number; access_level: number }>) => rows.map((m) => [m.id, m.access_level]).sort((a, b) => a[0] - b[0]);
      assert.deepEqual(levels(all), levels([{ id: root.id, access_level: 50 }, { id: made.userId, access_level: 30 }]));
      const shown = await api.ProjectMembers.show(made.projectPath!, made.userId);
      assert.equal(shown.access_level, 30);
    });

    it('Projects.all({ perPage: 50 }) follows every Link next and returns each project once', async () => {
      const recorder = recordFetches();
      let projects;
      try {
        projects = await api.Projects.all({ perPage: 50 });
      } finally {
        recorder.restore();
      }
      const ids = projects.map((p) => p.id);
      assertCompleteAndDistinct(ids, expected, 'Projects.all perPage 50');
      assert.ok(isDescending(ids), 'default order is created_at desc');
      assert.equal(recorder.requests.length, Math.ceil(expected.size / 50));
      assert.ok(recorder.requests.every((r) => r.status === 200 && r.url.startsWith(`${t.apiUrl}/projects?`)), JSON.stringify(recorder.requests));
    });

    it('Projects.all({ perPage: 20, maxPages: 2, showExpanded: true }) stops after two pages with paginationInfo', async () => {
      const { data, paginationInfo } = await api.Projects.all({ perPage: 20, maxPages: 2, showExpanded: true });
      assert.equal(data.length, 40);
      assert.equal(new Set(data.map((p) => p.id)).size, 40);
      const info = paginationInfo as unknown as OffsetPagination;
      assert.deepEqual(
        { ...info },
        { total: expected.size, next: 3, current: 2, previous: 1, perPage: 20, totalPages: Math.ceil(expected.size / 20) },
      );
      const page3 = await api.Projects.all({ pagination: 'offset', perPage: 20, page: 3 });
      const everything = [...data, ...page3].map((p) => p.id);
      assert.equal(new Set(everything).size, 60, 'page 3 continues where maxPages stopped');
    });

    it('keyset Projects.all({ pagination: "keyset", orderBy: "id", sort: "asc", perPage: 50 }) returns every project once', async () => {
      const recorder = recordFetches();
      let projects;
      try {
        projects = await api.Projects.all({ pagination: 'keyset', orderBy: 'id', sort: 'asc', perPage: 50 });
      } finally {
        recorder.restore();
      }
      const ids = projects.map((p) => p.id);
      assertCompleteAndDistinct(ids, expected, 'keyset');
      assert.ok(isAscending(ids), 'order_by=id sort=asc');
      assert.equal(recorder.requests.length, Math.ceil(expected.size / 50));
      for (const r of recorder.requests) {
        const q = new URL(r.url).searchParams;
        assert.equal(r.status, 200);
        assert.equal(q.get('pagination'), 'keyset', r.url);
        assert.equal(q.get('order_by'), 'id', r.url);
        assert.equal(q.get('sort'), 'asc', r.url);
        assert.equal(q.get('per_page'), '50', r.url);
      }
    });

    it('keyset with showExpanded reports paginationInfo.idAfter from the id_after of the last Link next', async () => {
      const sorted = [...expected].sort((a, b) => a - b);
      const { data, paginationInfo } = await api.Projects.all({
        pagination: 'keyset',
        orderBy: 'id',
        sort: 'asc',
        perPage: 50,
        showExpanded: true,
      });
      assert.deepEqual(data.map((p) => p.id), sorted);
      const info = paginationInfo as unknown as KeysetPagination;
      assert.equal(info.perPage, 50);
      assert.equal(info.orderBy, 'id');
      assert.equal(info.sort, 'asc');
      // GitLab's projects keyset pager (Gitlab::Pagination::Keyset::RequestContext) puts the lower
      // bound in the next link as `id_after=<last id>` (`id_before` for sort=desc); gitbeaker
      // copies it into paginationInfo.idAfter. The last request of the walk carried the id of the
      // last project on the second-to-last page.
      const lastBound = sorted[Math.floor((sorted.length - 1) / 50) * 50 - 1];
      assert.equal(
        info.idAfter,
        lastBound,
        'SERVER BUG: the projects keyset Link next carries `cursor=` instead of GitLab\'s `id_after=`, so gitbeaker cannot report idAfter',
      );
    });

    it('Projects.all({ idAfter }) resumes a keyset walk from an id, as GitLab documents', async () => {
      const sorted = [...expected].sort((a, b) => a - b);
      const from = sorted[99];
      const resumed = await api.Projects.all({ pagination: 'keyset', orderBy: 'id', sort: 'asc', perPage: 50, maxPages: 1, idAfter: from });
      const ids = resumed.map((p) => p.id);
      assert.deepEqual(
        { first: ids[0], last: ids[ids.length - 1], count: ids.length },
        { first: sorted[100], last: sorted[149], count: 50 },
        'SERVER BUG: GET /projects ignores the id_after filter, so the walk restarts from the first project',
      );
    });

    it('throws GitbeakerRequestError with cause.response.status 404 for an unknown project', async () => {
      const missing = await rejection(api.Projects.show(999999));
      assert.equal(missing.cause?.response.status, 404);
      assert.equal(missing.cause?.description, '404 Project Not Found');
      assert.equal(missing.message, '404 Project Not Found');
      const byPath = await rejection(api.Projects.show(`compat-${suffix}/sub/no-such-project`));
      assert.equal(byPath.cause?.response.status, 404);
    });

    it('throws GitbeakerRequestError 401 "401 Unauthorized" for a bad token', async () => {
      const anonymous = new Gitlab({ host: t.url, token: 'glpat-this-token-does-not-exist' });
      const unauthorized = await rejection(anonymous.Users.showCurrentUser());
      assert.equal(unauthorized.cause?.response.status, 401);
      assert.equal(unauthorized.cause?.description, '401 Unauthorized');
    });

    it('throws GitbeakerRequestError 400 with GitLab\'s "Failed to save group" message for a taken group path', async () => {
      const taken = await rejection(api.Groups.create('dup', `compat-${suffix}`));
      assert.equal(taken.cause?.response.status, 400);
      // GitLab's POST /groups answers render_api_error!("Failed to save group #{group.errors.messages}", 400):
      // {"message":"Failed to save group {:path=>[\"has already been taken\"]}"}; gitbeaker passes the string on.
      assert.equal(
        taken.cause?.description,
        'Failed to save group {:path=>["has already been taken"]}',
        'SERVER BUG: POST /groups with a taken path answers {"message":{"path":["has already been taken"]}} instead of GitLab\'s string message',
      );
    });
  });
}
