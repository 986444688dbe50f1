/**
 * Who may call which runner endpoint, table-driven: every caller × runner kind × endpoint is sent to the server
 * and compared with `expected`, a small pure mirror of GitLab 17.x's Ci::RunnerPolicy and the checks in
 * lib/api/ci/runners.rb (authenticate_show_runner!, authenticate_update_runner!, authenticate_delete_runner!,
 * authenticate_list_runners_jobs!). The oracle never calls the server's own policy code.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DIALECTS } from '../helpers/databases.js';
import { createGroup, createProject, createUser } from '../helpers/fixtures.js';
import { createRunner } from '../helpers/runners.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const CALLERS = ['anonymous', 'non-member', 'guest', 'reporter', 'developer', 'maintainer', 'owner', 'admin'] as const;
type Caller = (typeof CALLERS)[number];
/** `project-shared` serves the caller's project and one of another group, where the caller is nobody. */
const KINDS = ['instance', 'group', 'project', 'project-shared'] as const;
type Kind = (typeof KINDS)[number];
const ENDPOINTS = ['show', 'managers', 'jobs', 'update', 'reset', 'delete'] as const;
type Endpoint = (typeof ENDPOINTS)[number];

/** The caller's membership on the group holding the project (inherited by the project); admins are no members. */
const LEVEL: Record<Caller, number> = { anonymous: 0, 'non-member': 0, guest: 10, reporter: 20, developer: 30, maintainer: 40, owner: 50, admin: 0 };

interface Outcome {
  status: number;
  message?: string;
}

const SUCCESS: Record<Endpoint, number> = { show: 200, managers: 200, jobs: 200, update: 200, reset: 201, delete: 204 };
const noAccess: Outcome = { status: 403, message: '403 Forbidden - No access granted' };

/** GitLab's rules, written out: read (Maintainer+ of the group or a served project), change (group Owner, project Maintainer). */
function expected(caller: Caller, kind: Kind, endpoint: Endpoint): Outcome {
  if (caller === 'anonymous') return { status: 401, message: '401 Unauthorized' };
  const ok = { status: SUCCESS[endpoint] };
  if (caller === 'admin') return ok;
  const level = LEVEL[caller];
  const reads = kind === 'instance' || level >= 40;
  switch (endpoint) {
    case 'show':
    case 'managers':
      return reads ? ok : noAccess;
    case 'jobs':
      return kind !== 'instance' && level >= 40 ? ok : noAccess;
    case 'update':
    case 'reset':
      if (kind === 'instance') return noAccess;
      return level >= (kind === 'group' ? 50 : 40) ? ok : noAccess;
    case 'delete':
      if (kind === 'project-shared') return { status: 403, message: '403 Forbidden - Runner associated with more than one project' };
      if (kind === 'instance') return noAccess;
      return level >= (kind === 'group' ? 50 : 40) ? ok : noAccess;
  }
}

for (const dialect of DIALECTS) {
  describe(`runners API permissions (${dialect})`, () => {
    let t: TestServer;
    const tokens = new Map<Caller, string | null>();
    let group: any;
    let project: any;
    let otherProject: any;

    async function runnerOf(kind: Kind): Promise<number> {
      if (kind === 'instance') return (await createRunner(t, { description: kind })).id;
      if (kind === 'group') return (await createRunner(t, { runner_type: 'group_type', group_id: group.id, description: kind })).id;
      const runner = await createRunner(t, { runner_type: 'project_type', project_id: project.id, description: kind });
      if (kind === 'project-shared') {
        const enabled = await t.api('POST', `/projects/${otherProject.id}/runners`, { body: { runner_id: runner.id } });
        assert.equal(enabled.status, 201, enabled.text);
      }
      return runner.id;
    }

    function call(endpoint: Endpoint, id: number, token: string | null) {
      switch (endpoint) {
        case 'show': return t.api('GET', `/runners/${id}`, { token });
        case 'managers': return t.api('GET', `/runners/${id}/managers`, { token });
        case 'jobs': return t.api('GET', `/runners/${id}/jobs`, { token });
        case 'update': return t.api('PUT', `/runners/${id}`, { token, body: { description: 'changed' } });
        case 'reset': return t.api('POST', `/runners/${id}/reset_authentication_token`, { token });
        case 'delete': return t.api('DELETE', `/runners/${id}`, { token });
      }
    }

    before(async () => {
      t = await startTestServer(dialect);
      group = await createGroup(t);
      project = await createProject(t, { namespace_id: group.id });
      otherProject = await createProject(t, { namespace_id: (await createGroup(t)).id });
      tokens.set('anonymous', null);
      for (const caller of CALLERS.filter((c) => c !== 'anonymous')) {
        const user = await createUser(t, { admin: caller === 'admin' });
        tokens.set(caller, user.token);
        if (LEVEL[caller] > 0) {
          const res = await t.api('POST', `/groups/${group.id}/members`, { body: { user_id: user.id, access_level: LEVEL[caller] } });
          assert.equal(res.status, 201, res.text);
        }
      }
    });
    after(() => t.close());

    for (const kind of KINDS) {
      it(`${kind} runners: every caller × endpoint matches GitLab's policy`, async () => {
        const shared = await runnerOf(kind);
        const mismatches: string[] = [];
        for (const caller of CALLERS) {
          for (const endpoint of ENDPOINTS) {
            // Each delete gets its own runner, so every caller meets the same one.
            const id = endpoint === 'delete' ? await runnerOf(kind) : shared;
            const want = expected(caller, kind, endpoint);
            const got = await call(endpoint, id, tokens.get(caller)!);
            const message = typeof got.body === 'object' && got.body !== null ? (got.body as any).message : undefined;
            if (got.status !== want.status || (want.message !== undefined && message !== want.message)) {
              mismatches.push(`${caller} ${endpoint}: got ${got.status} ${got.text.slice(0, 120)}, want ${want.status} ${want.message ?? ''}`);
            }
          }
        }
        assert.deepEqual(mismatches, []);
      });
    }

    it('lists: /runners/all for admins; project and group runner lists for Maintainers of visible ones', async () => {
      const mismatches: string[] = [];
      const lists: Array<[string, (c: Caller) => number]> = [
        ['/runners/all', (c) => (c === 'anonymous' ? 401 : c === 'admin' ? 200 : 403)],
        ['/runners', (c) => (c === 'anonymous' ? 401 : 200)],
        // Private project and group: outsiders get 404 before anything else.
        [`/projects/${project.id}/runners`, (c) => (c === 'anonymous' ? 401 : c === 'non-member' ? 404 : c === 'admin' || LEVEL[c] >= 40 ? 200 : 403)],
        [`/groups/${group.id}/runners`, (c) => (c === 'anonymous' ? 401 : c === 'non-member' ? 404 : c === 'admin' || LEVEL[c] >= 40 ? 200 : 403)],
      ];
      for (const [path, want] of lists) {
        for (const caller of CALLERS) {
          const got = await t.api('GET', path, { token: tokens.get(caller)! });
          if (got.status !== want(caller)) mismatches.push(`${caller} GET ${path}: got ${got.status}, want ${want(caller)}`);
        }
      }
      assert.deepEqual(mismatches, []);
    });
  });
}
