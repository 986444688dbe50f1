/**
 * The runner management API (GitLab 17.x lib/api/ci/runners.rb) over real HTTP on both dialects: owned and
 * instance-wide lists with their filters, details, settings, removal, tokens, machines, a runner's jobs, and
 * which projects a runner serves. Fixtures are made through the public API; jobs are taken and finished
 * through the runner protocol.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ServiceContext } from '../../src/services/context.js';
import { DIALECTS } from '../helpers/databases.js';
import { assertEntities, assertEntity, assertJob } from '../helpers/entity-schemas.js';
import { addMember, createGroup, createProject, createUser } from '../helpers/fixtures.js';
import { jobNamed, pushPipeline } from '../helpers/pipelines.js';
import { createRunner, requestJob, runnerCall, RUNNER_INFO, updateJob } from '../helpers/runners.js';
import { shiftClocks, startTestServer, type TestServer } from '../helpers/server.js';

type User = { id: number; username: string; token: string };

const descriptions = (body: any[]) => body.map((r) => r.description).sort();

for (const dialect of DIALECTS) {
  describe(`runners API (${dialect})`, () => {
    let t: TestServer;
    let ctx: ServiceContext;
    /** Owner of group G (and so Maintainer+ of projects A and B in it); S is G's subgroup. */
    let owner: User;
    /** Maintainer of project A only. */
    let maint: User;
    let reporter: User;
    let stranger: User;
    let groupMaint: User;
    let group: any;
    let subgroup: any;
    let projectA: any;
    let projectB: any;
    const r = { shared: 0, project: 0, twoProjects: 0, groupA: 0, groupB: 0, jobs: 0 };
    const tokens: Record<string, string> = {};

    async function addGroupMember(groupId: number, userId: number, level: number) {
      const res = await t.api('POST', `/groups/${groupId}/members`, { body: { user_id: userId, access_level: level } });
      assert.equal(res.status, 201, res.text);
    }

    before(async () => {
      t = await startTestServer(dialect);
      ctx = t.server.app.ctx;
      [owner, maint, reporter, stranger, groupMaint] = await Promise.all([createUser(t), createUser(t), createUser(t), createUser(t), createUser(t)]);
      group = await createGroup(t, {}, owner.token);
      subgroup = await createGroup(t, { parent_id: group.id }, owner.token);
      projectA = await createProject(t, { namespace_id: group.id }, owner.token);
      projectB = await createProject(t, { namespace_id: group.id }, owner.token);
      await addMember(t, projectA.id, maint.id, 40);
      await addMember(t, projectA.id, reporter.id, 20);
      await addGroupMember(group.id, groupMaint.id, 40);
      const made = await Promise.all([
        createRunner(t, { description: 'Shared runner' }),
        createRunner(t, { runner_type: 'project_type', project_id: projectA.id, description: 'Project runner' }),
        createRunner(t, { runner_type: 'project_type', project_id: projectA.id, description: 'Two projects runner' }),
        createRunner(t, { runner_type: 'group_type', group_id: group.id, description: 'Group runner A' }),
        createRunner(t, { runner_type: 'group_type', group_id: subgroup.id, description: 'Group runner B' }),
      ]);
      [r.shared, r.project, r.twoProjects, r.groupA, r.groupB] = made.map((m) => m.id);
      ['shared', 'project', 'twoProjects', 'groupA', 'groupB'].forEach((name, i) => (tokens[name] = made[i].token));
      const enabled = await t.api('POST', `/projects/${projectB.id}/runners`, { body: { runner_id: r.twoProjects } });
      assert.equal(enabled.status, 201, enabled.text);
    });
    after(() => t.close());

    describe('GET /runners', () => {
      it('lists the runners the caller owns: project runners of projects they maintain, group runners of groups they own', async () => {
        const owned = await t.api('GET', '/runners', { token: owner.token });
        assert.equal(owned.status, 200);
        assertEntities('Runner', owned.body);
        assert.deepEqual(descriptions(owned.body), ['Group runner A', 'Group runner B', 'Project runner', 'Two projects runner']);
        assert.equal(owned.headers.get('x-total'), '4');
        assert.equal(owned.headers.get('x-page'), '1');
        assert.deepEqual(owned.body.map((x: any) => x.id), [...owned.body.map((x: any) => x.id)].sort((a: number, b: number) => a - b));
        assert.deepEqual(descriptions((await t.api('GET', '/runners', { token: maint.token })).body), ['Project runner', 'Two projects runner']);
        assert.deepEqual((await t.api('GET', '/runners', { token: reporter.token })).body, []);
        // A group Maintainer owns no group runners; an administrator owns only what their memberships give.
        assert.deepEqual((await t.api('GET', '/runners', { token: groupMaint.token })).body.map((x: any) => x.runner_type), ['project_type', 'project_type']);
        assert.deepEqual((await t.api('GET', '/runners')).body, []);
        assert.equal((await t.api('GET', '/runners', { token: null })).status, 401);
      });

      it('filters by type, paused, status, scope and tag_list, refusing unknown values as Grape does', async () => {
        const get = async (query: string) => t.api('GET', `/runners?${query}`, { token: owner.token });
        assert.deepEqual(descriptions((await get('type=project_type')).body), ['Project runner', 'Two projects runner']);
        assert.deepEqual((await get('type=bogus')).body, { error: 'type does not have a valid value' });
        assert.equal((await get('type=bogus')).status, 400);
        assert.deepEqual((await get('status=bogus')).body, { error: 'status does not have a valid value' });
        assert.deepEqual((await get('paused=maybe')).body, { error: 'paused is invalid' });
        assert.deepEqual((await get('scope=unknown')).body, { error: 'scope does not have a valid value' });
        const shared = await get('scope=shared');
        assert.deepEqual([shared.status, shared.body], [400, { message: 'Scope contains invalid value' }]);
        const paused = await createRunner(t, { runner_type: 'project_type', project_id: projectA.id, description: 'Inactive project runner', paused: true });
        const tagged = await createRunner(t, { runner_type: 'project_type', project_id: projectA.id, description: 'Tagged both', tag_list: ['tag1', 'tag2'] });
        const tagged2 = await createRunner(t, { runner_type: 'project_type', project_id: projectA.id, description: 'Tagged one', tag_list: ['tag2'] });
        try {
          assert.deepEqual(descriptions((await get('paused=true')).body), ['Inactive project runner']);
          assert.deepEqual(descriptions((await get('scope=paused')).body), ['Inactive project runner']);
          assert.deepEqual(descriptions((await get('status=paused')).body), ['Inactive project runner']);
          assert.deepEqual((await get('scope=paused&paused=false')).body, []);
          assert.ok(!descriptions((await get('paused=false')).body).includes('Inactive project runner'));
          assert.deepEqual(descriptions((await get('tag_list=tag1,tag2')).body), ['Tagged both']);
          assert.deepEqual(descriptions((await get('tag_list[]=tag2')).body), ['Tagged both', 'Tagged one']);
          assert.deepEqual(descriptions((await get('tag_list=t_g2')).body), []);
          assert.equal((await get('status=never_contacted')).body.length, 7);
          assert.deepEqual((await get('status=online')).body, []);
          assert.deepEqual((await get('status=offline')).body, []);
        } finally {
          for (const id of [paused.id, tagged.id, tagged2.id]) assert.equal((await t.api('DELETE', `/runners/${id}`)).status, 204);
        }
      });

      it('pages by id with GitLab headers', async () => {
        const first = await t.api('GET', '/runners?per_page=3', { token: owner.token });
        assert.equal(first.body.length, 3);
        assert.equal(first.headers.get('x-total'), '4');
        assert.equal(first.headers.get('x-total-pages'), '2');
        assert.equal(first.headers.get('x-next-page'), '2');
        assert.match(first.headers.get('link') ?? '', /rel="next"/);
        const second = await t.api('GET', '/runners?per_page=3&page=2', { token: owner.token });
        assert.equal(second.body.length, 1);
        assert.ok(second.body[0].id > first.body[2].id);
        assert.deepEqual((await t.api('GET', '/runners?per_page=0', { token: owner.token })).body, { error: 'per_page has a value not allowed' });
      });
    });

    describe('GET /runners/all', () => {
      it('lists every runner for admins only, with scope, type and status filters', async () => {
        const all = await t.api('GET', '/runners/all');
        assert.equal(all.status, 200);
        assertEntities('Runner', all.body);
        assert.deepEqual(descriptions(all.body), ['Group runner A', 'Group runner B', 'Project runner', 'Shared runner', 'Two projects runner']);
        const shared = all.body.find((x: any) => x.id === r.shared);
        assert.deepEqual(shared, {
          id: r.shared, description: 'Shared runner', ip_address: null, active: true, paused: false, is_shared: true,
          runner_type: 'instance_type', name: null, online: null, status: 'never_contacted',
        });
        assert.deepEqual(descriptions((await t.api('GET', '/runners/all?scope=shared')).body), ['Shared runner']);
        assert.deepEqual(descriptions((await t.api('GET', '/runners/all?scope=specific')).body), ['Group runner A', 'Group runner B', 'Project runner', 'Two projects runner']);
        assert.deepEqual(descriptions((await t.api('GET', '/runners/all?type=group_type')).body), ['Group runner A', 'Group runner B']);
        assert.deepEqual(descriptions((await t.api('GET', '/runners/all?scope=shared&type=group_type')).body), []);
        assert.deepEqual((await t.api('GET', '/runners/all?scope=unknown')).body, { error: 'scope does not have a valid value' });
        const forbidden = await t.api('GET', '/runners/all', { token: owner.token });
        assert.deepEqual([forbidden.status, forbidden.body], [403, { message: '403 Forbidden' }]);
        // Grape validates before the endpoint checks for an admin.
        assert.equal((await t.api('GET', '/runners/all?type=bogus', { token: owner.token })).status, 400);
      });

      it('filters by the version prefix of the runners\' machines', async () => {
        const v15 = await createRunner(t, { description: 'v15' });
        const v16 = await createRunner(t, { description: 'v16' });
        await runnerCall(t, 'POST', '/runners/verify', { token: v15.token, system_id: 's_v15', info: { ...RUNNER_INFO, version: '15.0.3' } });
        await runnerCall(t, 'POST', '/runners/verify', { token: v16.token, system_id: 's_v16', info: { ...RUNNER_INFO, version: '16.0.1' } });
        try {
          assert.deepEqual(descriptions((await t.api('GET', '/runners/all?version_prefix=15.0')).body), ['v15']);
          assert.deepEqual(descriptions((await t.api('GET', '/runners/all?version_prefix=16')).body), ['v16']);
          assert.deepEqual(descriptions((await t.api('GET', '/runners/all?version_prefix=1')).body), []);
          assert.deepEqual(descriptions((await t.api('GET', '/runners/all?version_prefix=15.0.3')).body), ['v15']);
          assert.deepEqual((await t.api('GET', '/runners/all?version_prefix=25')).body, []);
          assert.deepEqual((await t.api('GET', '/runners/all?version_prefix=v15')).body, { error: 'version_prefix is invalid' });
          assert.deepEqual(descriptions((await t.api('GET', '/runners/all?status=online')).body), ['v15', 'v16']);
        } finally {
          await t.api('DELETE', `/runners/${v15.id}`);
          await t.api('DELETE', `/runners/${v16.id}`);
        }
      });
    });

    describe('GET /runners/:id', () => {
      it('shows RunnerDetails with the projects and group the caller may see', async () => {
        const details = await t.api('GET', `/runners/${r.twoProjects}`);
        assert.equal(details.status, 200);
        assertEntity('RunnerDetails', details.body);
        assert.deepEqual(Object.keys(details.body), [
          'id', 'description', 'ip_address', 'active', 'paused', 'is_shared', 'runner_type', 'name', 'online', 'status', 'tag_list',
          'run_untagged', 'locked', 'maximum_timeout', 'access_level', 'version', 'revision', 'platform', 'architecture',
          'contacted_at', 'maintenance_note', 'projects', 'groups',
        ]);
        assert.deepEqual(details.body.projects.map((p: any) => p.id), [projectA.id, projectB.id]);
        assert.equal(details.body.projects[0].path_with_namespace, projectA.path_with_namespace);
        assert.deepEqual(details.body.groups, []);
        // A Maintainer of A alone sees only A among the runner's projects.
        const asMaint = await t.api('GET', `/runners/${r.twoProjects}`, { token: maint.token });
        assert.deepEqual(asMaint.body.projects.map((p: any) => p.id), [projectA.id]);
        const groupRunner = await t.api('GET', `/runners/${r.groupA}`, { token: owner.token });
        assert.deepEqual(groupRunner.body.groups, [{ id: group.id, web_url: `${t.url}/groups/${group.full_path}`, name: group.name }]);
        assert.deepEqual(groupRunner.body.projects, []);
      });

      it('answers 404 Not found for unknown runners, 403 for others\' runners, 400 for a bad id', async () => {
        const missing = await t.api('GET', '/runners/999999');
        assert.deepEqual([missing.status, missing.body], [404, { message: '404 Not found' }]);
        assert.deepEqual((await t.api('GET', '/runners/99999999999')).body, { message: '404 Not found' });
        const denied = await t.api('GET', `/runners/${r.project}`, { token: reporter.token });
        assert.deepEqual([denied.status, denied.body], [403, { message: '403 Forbidden - No access granted' }]);
        assert.equal((await t.api('GET', `/runners/${r.shared}`, { token: stranger.token })).status, 200);
        assert.deepEqual((await t.api('GET', '/runners/abc')).body, { error: 'id is invalid' });
        assert.equal((await t.api('GET', `/runners/${r.shared}`, { token: null })).status, 401);
      });

      it('reports online, offline, stale and paused from contact times (ctx.clock), and the newest machine\'s version', async () => {
        const runner = await createRunner(t, { description: 'timed' });
        try {
          assert.equal((await t.api('GET', `/runners/${runner.id}`)).body.status, 'never_contacted');
          await runnerCall(t, 'POST', '/runners/verify', { token: runner.token, system_id: 's_old', info: { ...RUNNER_INFO, version: '17.0.0' } });
          await new Promise((resolve) => setTimeout(resolve, 5));
          await runnerCall(t, 'POST', '/runners/verify', { token: runner.token, system_id: 's_new', info: { ...RUNNER_INFO, version: '17.5.0', revision: 'feedbeef' } });
          const online = (await t.api('GET', `/runners/${runner.id}`)).body;
          assert.deepEqual([online.status, online.online, online.version, online.revision, online.platform, online.architecture], ['online', true, '17.5.0', 'feedbeef', 'linux', 'amd64']);
          assert.ok(online.contacted_at);
          let restore = shiftClocks(t, 3 * 3600_000);
          try {
            const offline = (await t.api('GET', `/runners/${runner.id}`)).body;
            assert.deepEqual([offline.status, offline.online], ['offline', false]);
            assert.ok((await t.api('GET', '/runners/all?status=offline')).body.some((x: any) => x.id === runner.id));
            restore();
            restore = shiftClocks(t, 8 * 24 * 3600_000);
            assert.equal((await t.api('GET', `/runners/${runner.id}`)).body.status, 'stale');
            const stale = (await t.api('GET', '/runners/all?status=stale')).body.map((x: any) => x.id);
            assert.ok(stale.includes(runner.id) && stale.includes(r.shared));
          } finally {
            restore();
          }
          await t.api('PUT', `/runners/${runner.id}`, { body: { paused: true } });
          const paused = (await t.api('GET', `/runners/${runner.id}`)).body;
          assert.deepEqual([paused.status, paused.active, paused.paused, paused.online], ['paused', false, true, true]);
        } finally {
          await t.api('DELETE', `/runners/${runner.id}`);
        }
      });
    });

    describe('PUT /runners/:id', () => {
      it('changes settings and answers RunnerDetails; the runner sees the change at once', async () => {
        const runner = await createRunner(t, { runner_type: 'project_type', project_id: projectA.id, description: 'editable' });
        const changed = await t.api('PUT', `/runners/${runner.id}`, {
          token: maint.token,
          body: { description: 'edited', tag_list: 'ruby, mysql,ruby', run_untagged: false, locked: 'true', access_level: 'ref_protected', maximum_timeout: 3600, maintenance_note: 'note' },
        });
        assert.equal(changed.status, 200, changed.text);
        assertEntity('RunnerDetails', changed.body);
        assert.deepEqual(
          [changed.body.description, changed.body.tag_list, changed.body.run_untagged, changed.body.locked, changed.body.access_level, changed.body.maximum_timeout, changed.body.maintenance_note],
          ['edited', ['mysql', 'ruby'], false, true, 'ref_protected', 3600, 'note'],
        );
        const cleared = await t.api('PUT', `/runners/${runner.id}`, { body: { maximum_timeout: null, active: false } });
        assert.equal(cleared.status, 200, cleared.text);
        assert.deepEqual([cleared.body.maximum_timeout, cleared.body.paused, cleared.body.active], [null, true, false]);
        // The runner's cached settings are dropped at once: paused, it gets no job.
        assert.equal((await requestJob(t, runner.token)).status, 204);
        assert.equal((await t.api('DELETE', `/runners/${runner.id}`)).status, 204);
      });

      it('shows the maintenance note only to those who may update the runner', async () => {
        const runner = await createRunner(t, { runner_type: 'group_type', group_id: group.id, description: 'noted' });
        assert.equal((await t.api('PUT', `/runners/${runner.id}`, { token: owner.token, body: { maintenance_note: 'replace in May' } })).status, 200);
        assert.equal((await t.api('GET', `/runners/${runner.id}`, { token: owner.token })).body.maintenance_note, 'replace in May');
        const asGroupMaintainer = await t.api('GET', `/runners/${runner.id}`, { token: groupMaint.token });
        assert.deepEqual([asGroupMaintainer.status, asGroupMaintainer.body.maintenance_note], [200, null]);
        assert.equal((await t.api('PUT', `/runners/${runner.id}`, { token: groupMaint.token, body: { description: 'x' } })).status, 403);
        await t.api('DELETE', `/runners/${runner.id}`);
      });

      it('refuses empty, contradictory and invalid changes the way Grape and the model do', async () => {
        const put = (body: unknown, id = r.project) => t.api('PUT', `/runners/${id}`, { body });
        const empty = await put({});
        assert.deepEqual([empty.status, empty.body], [400, {
          error: 'description, active, paused, tag_list, run_untagged, locked, access_level, maximum_timeout, maintenance_note are missing, at least one parameter must be provided',
        }]);
        assert.equal((await t.api('PUT', `/runners/${r.project}`)).status, 400);
        assert.deepEqual((await put({ active: true, paused: true })).body, { error: 'active, paused are mutually exclusive' });
        assert.deepEqual((await put({ access_level: 'bogus' })).body, { error: 'access_level does not have a valid value' });
        assert.deepEqual((await put({ maximum_timeout: 'soon' })).body, { error: 'maximum_timeout is invalid' });
        assert.deepEqual((await put({ maximum_timeout: 100 })).body, { message: { maximum_timeout: ['needs to be at least 10 minutes'] } });
        assert.deepEqual((await put({ run_untagged: false })).body, { message: { tags_list: ['can not be empty when runner is not allowed to pick untagged jobs'] } });
        assert.deepEqual((await put({ description: 'x'.repeat(1025) })).body, { message: { description: ['is too long (maximum is 1024 characters)'] } });
        // Parameters first (400), then the runner (404), then the caller (403).
        assert.deepEqual((await put({ description: 'x' }, 999999)).body, { message: '404 Not found' });
        const denied = await t.api('PUT', `/runners/${r.shared}`, { token: owner.token, body: { description: 'mine' } });
        assert.deepEqual([denied.status, denied.body], [403, { message: '403 Forbidden - No access granted' }]);
        assert.equal((await t.api('PUT', `/runners/${r.shared}`, { token: owner.token, body: {} })).status, 400);
        assert.equal((await t.api('GET', `/runners/${r.project}`)).body.run_untagged, true);
      });
    });

    describe('DELETE /runners/:id and reset_authentication_token', () => {
      it('deletes what the caller may delete; a runner of several projects only by admins', async () => {
        const several = await t.api('DELETE', `/runners/${r.twoProjects}`, { token: owner.token });
        assert.deepEqual([several.status, several.body], [403, { message: '403 Forbidden - Runner associated with more than one project' }]);
        const byGroupMaintainer = await t.api('DELETE', `/runners/${r.groupA}`, { token: groupMaint.token });
        assert.deepEqual([byGroupMaintainer.status, byGroupMaintainer.body], [403, { message: '403 Forbidden - No access granted' }]);
        assert.equal((await t.api('DELETE', `/runners/${r.shared}`, { token: owner.token })).status, 403);
        const inherited = await createRunner(t, { runner_type: 'group_type', group_id: subgroup.id, description: 'doomed' });
        const deleted = await t.api('DELETE', `/runners/${inherited.id}`, { token: owner.token });
        assert.equal(deleted.status, 204);
        assert.equal(deleted.text, '');
        assert.equal((await t.api('GET', `/runners/${inherited.id}`)).status, 404);
        assert.equal((await runnerCall(t, 'POST', '/runners/verify', { token: inherited.token })).status, 403);
        assert.deepEqual((await t.api('DELETE', '/runners/999999')).body, { message: '404 Not found' });
      });

      it('resets the token for admins and those who may update the runner', async () => {
        const runner = await createRunner(t, { runner_type: 'group_type', group_id: group.id, description: 'rotating' });
        const denied = await t.api('POST', `/runners/${runner.id}/reset_authentication_token`, { token: groupMaint.token });
        assert.deepEqual([denied.status, denied.body], [403, { message: '403 Forbidden - No access granted' }]);
        const reset = await t.api('POST', `/runners/${runner.id}/reset_authentication_token`, { token: owner.token });
        assert.equal(reset.status, 201);
        assert.deepEqual(Object.keys(reset.body), ['token', 'token_expires_at']);
        assert.match(reset.body.token, /^glrt-/);
        assert.equal(reset.body.token_expires_at, null);
        assert.equal((await runnerCall(t, 'POST', '/runners/verify', { token: runner.token })).status, 403);
        assert.equal((await runnerCall(t, 'POST', '/runners/verify', { token: reset.body.token })).status, 200);
        assert.equal((await t.api('POST', '/runners/999999/reset_authentication_token')).status, 404);
        await t.api('DELETE', `/runners/${runner.id}`);
      });
    });

    describe('GET /runners/:id/managers', () => {
      it('lists the machines behind a runner, without the placeholder of runners that send no system_id', async () => {
        const runner = await createRunner(t, { description: 'fleet' });
        await runnerCall(t, 'POST', '/runners/verify', { token: runner.token, system_id: 's_aaaaaaaaaaaa', info: RUNNER_INFO });
        await runnerCall(t, 'POST', '/runners/verify', { token: runner.token, system_id: 's_bbbbbbbbbbbb', info: { ...RUNNER_INFO, version: '16.11.0' } });
        await runnerCall(t, 'POST', '/runners/verify', { token: runner.token, info: RUNNER_INFO });
        const managers = await t.api('GET', `/runners/${runner.id}/managers`, { token: stranger.token });
        assert.equal(managers.status, 200);
        assertEntities('RunnerManager', managers.body);
        assert.deepEqual(managers.body.map((m: any) => [m.system_id, m.version, m.status]), [['s_aaaaaaaaaaaa', '17.5.0', 'online'], ['s_bbbbbbbbbbbb', '16.11.0', 'online']]);
        assert.equal(managers.body[0].ip_address, '127.0.0.1');
        assert.equal((await t.api('GET', `/runners/${r.project}/managers`, { token: reporter.token })).status, 403);
        await t.api('DELETE', `/runners/${runner.id}`);
      });
    });

    describe('jobs a runner ran', () => {
      let jobId: number;
      let failedId: number;

      before(async () => {
        const pipeline = await pushPipeline(t, projectA, { '.gitlab-ci.yml': 'one:\n  tags: [jobs-runner]\n  script: a\ntwo:\n  tags: [jobs-runner]\n  script: b\n' });
        const runner = await createRunner(t, { runner_type: 'project_type', project_id: projectA.id, description: 'Jobs runner', tag_list: ['jobs-runner'] });
        tokens.jobs = runner.token;
        r.jobs = runner.id;
        for (const outcome of ['success', 'failed'] as const) {
          const taken = await requestJob(t, runner.token);
          assert.equal(taken.status, 201, taken.text);
          assert.equal((await updateJob(t, taken.body.id, taken.body.token, { state: outcome, ...(outcome === 'failed' ? { failure_reason: 'script_failure' } : {}) })).status, 200);
          if (outcome === 'success') jobId = taken.body.id;
          else failedId = taken.body.id;
        }
        assert.ok((await jobNamed(ctx, pipeline.id, 'one')).runnerId === runner.id);
      });

      it('GET /projects/:id/jobs/:job_id shows the Runner and RunnerManager that ran the job', async () => {
        const job = await t.api('GET', `/projects/${projectA.id}/jobs/${jobId}`);
        assertJob(job.body);
        assert.deepEqual(job.body.runner, {
          id: r.jobs, description: 'Jobs runner', ip_address: null, active: true, paused: false, is_shared: false,
          runner_type: 'project_type', name: null, online: true, status: 'online',
        });
        assert.equal(job.body.runner_manager.system_id, 's_0123456789ab');
        assert.equal(job.body.runner_manager.version, RUNNER_INFO.version);
        const list = await t.api('GET', `/projects/${projectA.id}/jobs`);
        assertJob(list.body);
        const listed = list.body.filter((j: any) => j.id === jobId || j.id === failedId);
        assert.equal(listed.length, 2);
        // One object per runner and manager in a page.
        assert.equal(listed[0].runner.id, r.jobs);
        assert.deepEqual(listed[0].runner, listed[1].runner);
      });

      it('lists the runner\'s jobs as JobBasicWithProject, oldest first unless ordered by id', async () => {
        const jobs = await t.api('GET', `/runners/${r.jobs}/jobs`);
        assert.equal(jobs.status, 200);
        assertEntities('JobBasicWithProject', jobs.body);
        assert.deepEqual(jobs.body.map((j: any) => j.id), [jobId, failedId]);
        assert.deepEqual(jobs.body[0].project, {
          id: projectA.id, description: projectA.description, name: projectA.name, name_with_namespace: projectA.name_with_namespace,
          path: projectA.path, path_with_namespace: projectA.path_with_namespace, created_at: projectA.created_at,
        });
        assert.equal(jobs.headers.get('x-total'), '2');
        assert.deepEqual((await t.api('GET', `/runners/${r.jobs}/jobs?order_by=id`)).body.map((j: any) => j.id), [failedId, jobId]);
        assert.deepEqual((await t.api('GET', `/runners/${r.jobs}/jobs?order_by=id&sort=asc`)).body.map((j: any) => j.id), [jobId, failedId]);
        assert.deepEqual((await t.api('GET', `/runners/${r.jobs}/jobs?status=failed`)).body.map((j: any) => j.id), [failedId]);
        assert.deepEqual((await t.api('GET', `/runners/${r.jobs}/jobs?status=bogus`)).body, { error: 'status does not have a valid value' });
        assert.deepEqual((await t.api('GET', `/runners/${r.jobs}/jobs?order_by=name`)).body, { error: 'order_by does not have a valid value' });
        assert.deepEqual((await t.api('GET', `/runners/${r.jobs}/jobs?sort=up`)).body, { error: 'sort does not have a valid value' });
        const bySystem = await t.api('GET', `/runners/${r.jobs}/jobs?system_id=s_0123456789ab`);
        assert.deepEqual(bySystem.body.map((j: any) => j.id), [jobId, failedId]);
        assert.equal(bySystem.headers.get('x-total'), null);
        assert.deepEqual((await t.api('GET', `/runners/${r.jobs}/jobs?system_id=s_other`)).body, []);
        const keyset = await t.api('GET', `/runners/${r.jobs}/jobs?pagination=keyset&order_by=id&sort=desc&per_page=1`);
        assert.deepEqual(keyset.body.map((j: any) => j.id), [failedId]);
        const next = (keyset.headers.get('link') ?? '').match(/<([^>]+)>; rel="next"/)?.[1];
        assert.ok(next);
        assert.deepEqual((await t.api('GET', next!)).body.map((j: any) => j.id), [jobId]);
        assert.deepEqual((await t.api('GET', '/runners/999999/jobs')).body, { message: '404 Not found' });
      });

      it('shows a Maintainer their runner\'s jobs, refuses Reporters and instance runners\' jobs to non-admins', async () => {
        assert.deepEqual((await t.api('GET', `/runners/${r.jobs}/jobs`, { token: maint.token })).body.map((j: any) => j.id), [jobId, failedId]);
        const reporterJobs = await t.api('GET', `/runners/${r.jobs}/jobs`, { token: reporter.token });
        assert.deepEqual([reporterJobs.status, reporterJobs.body], [403, { message: '403 Forbidden - No access granted' }]);
        assert.equal((await t.api('GET', `/runners/${r.shared}/jobs`, { token: owner.token })).status, 403);
        assert.deepEqual((await t.api('GET', `/runners/${r.shared}/jobs`)).body, []);
      });
    });

    describe('project and group runners', () => {
      it('GET /projects/:id/runners lists its own, its groups\' and instance runners to Maintainers', async () => {
        const runners = await t.api('GET', `/projects/${projectA.id}/runners`, { token: maint.token });
        assert.equal(runners.status, 200);
        assertEntities('Runner', runners.body);
        const seen = descriptions(runners.body);
        for (const d of ['Group runner A', 'Project runner', 'Shared runner', 'Two projects runner']) assert.ok(seen.includes(d), d);
        assert.ok(!seen.includes('Group runner B'));
        const specific = descriptions((await t.api('GET', `/projects/${projectA.id}/runners?scope=specific`, { token: maint.token })).body);
        assert.ok(!specific.includes('Shared runner') && specific.includes('Group runner A'));
        assert.deepEqual(descriptions((await t.api('GET', `/projects/${projectB.id}/runners?type=project_type`, { token: owner.token })).body), ['Two projects runner']);
        assert.deepEqual((await t.api('GET', `/projects/${projectA.id}/runners?type=bogus`, { token: maint.token })).body, { error: 'type does not have a valid value' });
        const denied = await t.api('GET', `/projects/${projectA.id}/runners?type=bogus`, { token: reporter.token });
        assert.deepEqual([denied.status, denied.body], [403, { message: '403 Forbidden' }]);
        assert.deepEqual((await t.api('GET', `/projects/${projectA.id}/runners`, { token: stranger.token })).body, { message: '404 Project Not Found' });
        assert.equal((await t.api('GET', `/projects/${projectA.id}/runners`, { token: null })).status, 401);
      });

      it('POST /projects/:id/runners assigns another project\'s runner; refuses locked, group, instance and duplicate ones', async () => {
        const runner = await createRunner(t, { runner_type: 'project_type', project_id: projectB.id, description: 'movable' });
        const enabled = await t.api('POST', `/projects/${projectA.id}/runners`, { token: owner.token, body: { runner_id: runner.id } });
        assert.equal(enabled.status, 201, enabled.text);
        assertEntity('Runner', enabled.body);
        assert.equal(enabled.body.id, runner.id);
        const again = await t.api('POST', `/projects/${projectA.id}/runners`, { token: owner.token, body: { runner_id: runner.id } });
        assert.deepEqual([again.status, again.body], [400, { message: 'failed to assign runner' }]);
        // A Maintainer of A alone may not take B's runner.
        const other = await createRunner(t, { runner_type: 'project_type', project_id: projectB.id, description: 'not yours' });
        assert.deepEqual((await t.api('POST', `/projects/${projectA.id}/runners`, { token: maint.token, body: { runner_id: other.id } })).body, { message: '403 Forbidden - No access granted' });
        const locked = await createRunner(t, { runner_type: 'project_type', project_id: projectB.id, description: 'locked', locked: true });
        assert.deepEqual((await t.api('POST', `/projects/${projectA.id}/runners`, { token: owner.token, body: { runner_id: locked.id } })).body, { message: '403 Forbidden - Runner is locked' });
        assert.equal((await t.api('POST', `/projects/${projectA.id}/runners`, { body: { runner_id: locked.id } })).status, 201);
        assert.deepEqual((await t.api('POST', `/projects/${projectA.id}/runners`, { token: owner.token, body: { runner_id: r.groupA } })).body, { message: '403 Forbidden - Runner is a group runner' });
        assert.deepEqual((await t.api('POST', `/projects/${projectA.id}/runners`, { token: owner.token, body: { runner_id: r.shared } })).body, { message: '403 Forbidden - No access granted' });
        assert.deepEqual((await t.api('POST', `/projects/${projectA.id}/runners`, { body: { runner_id: r.shared } })).body, { message: 'failed to assign runner' });
        assert.deepEqual((await t.api('POST', `/projects/${projectA.id}/runners`, { body: { runner_id: 999999 } })).body, { message: '404 Not found' });
        assert.deepEqual((await t.api('POST', `/projects/${projectA.id}/runners`, { body: {} })).body, { error: 'runner_id is missing' });
        // Authorization before parameters, like Grape's `before` block.
        assert.deepEqual((await t.api('POST', `/projects/${projectA.id}/runners`, { token: reporter.token })).body, { message: '403 Forbidden' });
        for (const id of [runner.id, other.id, locked.id]) assert.equal((await t.api('DELETE', `/runners/${id}`)).status, 204);
      });

      it('DELETE /projects/:id/runners/:runner_id unassigns, but a runner\'s only project keeps it', async () => {
        const runner = await createRunner(t, { runner_type: 'project_type', project_id: projectA.id, description: 'shared twice' });
        await t.api('POST', `/projects/${projectB.id}/runners`, { body: { runner_id: runner.id } });
        const removed = await t.api('DELETE', `/projects/${projectA.id}/runners/${runner.id}`, { token: owner.token });
        assert.equal(removed.status, 204);
        assert.deepEqual((await t.api('GET', `/runners/${runner.id}`)).body.projects.map((p: any) => p.id), [projectB.id]);
        const last = await t.api('DELETE', `/projects/${projectB.id}/runners/${runner.id}`, { token: owner.token });
        assert.deepEqual([last.status, last.body], [403, { message: '403 Forbidden - Only one project associated with the runner. Please remove the runner instead' }]);
        assert.deepEqual((await t.api('DELETE', `/projects/${projectA.id}/runners/${runner.id}`, { token: owner.token })).body, { message: '404 Runner Not Found' });
        assert.equal((await t.api('DELETE', `/projects/${projectA.id}/runners/${r.project}`, { token: reporter.token })).status, 403);
        assert.deepEqual((await t.api('DELETE', `/projects/${projectA.id}/runners/abc`)).body, { error: 'runner_id is invalid' });
        await t.api('DELETE', `/runners/${runner.id}`);
      });

      it('answers odd and malformed runner requests below 500, errors with GitLab bodies', async () => {
        const many = Array.from({ length: 3000 }, (_, i) => `t${i}`).join(',');
        const requests: Array<[string, string, unknown?]> = [
          ['GET', '/runners?type[]=project_type'], ['GET', '/runners?status[a]=1'], ['GET', '/runners?tag_list[a]=1'], ['GET', `/runners?tag_list=${many}`],
          ['GET', '/runners/all?version_prefix=1%25_'], ['GET', '/runners/all?paused[]=true&paused[]=false'], ['GET', '/runners/all?scope[]=shared'],
          ['GET', '/runners/0'], ['GET', '/runners/-1'], ['GET', '/runners/1e30'], ['GET', '/runners/2147483648/managers'],
          ['GET', `/runners/${r.project}/jobs?system_id[]=a&system_id[]=b`], ['GET', `/runners/${r.project}/jobs?cursor=%%%`],
          ['GET', `/runners/${r.project}/jobs?pagination=keyset&order_by=id&sort=asc&cursor=eyJpZCI6Ii0xIn0`], ['GET', `/runners/${r.project}/jobs?page=-1&per_page=1000`],
          ['PUT', `/runners/${r.project}`, { tag_list: { a: 1 } }], ['PUT', `/runners/${r.project}`, { maximum_timeout: 1e20 }],
          ['PUT', `/runners/${r.project}`, { description: ['a', 'b'] }], ['PUT', `/runners/${r.project}`, { tag_list: Array.from({ length: 60 }, (_, i) => `x${i}`) }],
          ['PUT', `/runners/${r.project}`, 'not json'], ['POST', '/runners/2147483648/reset_authentication_token'],
          ['POST', `/projects/${projectA.id}/runners`, { runner_id: 99999999999 }], ['POST', `/projects/${projectA.id}/runners`, { runner_id: { a: 1 } }],
          ['POST', `/projects/${projectA.id}/runners`, { runner_id: true }], ['POST', `/projects/${projectA.id}/runners`, { runner_id: -3 }],
          ['DELETE', `/projects/${projectA.id}/runners/99999999999`], ['DELETE', `/projects/${projectA.id}/runners/-1`],
          ['GET', '/projects/99999999999/runners'], ['GET', '/groups/%2F%2F/runners'], ['DELETE', '/runners/99999999999'],
        ];
        const bad: string[] = [];
        for (const [method, path, body] of requests) {
          const res = typeof body === 'string'
            ? await t.api(method, path, { rawBody: body, headers: { 'content-type': 'application/json' } })
            : await t.api(method, path, body === undefined ? {} : { body });
          const shaped = typeof res.body === 'object' && res.body !== null && ('message' in res.body || 'error' in res.body);
          if (res.status >= 500 || (res.status >= 400 && !shaped)) bad.push(`${method} ${path.slice(0, 80)} → ${res.status} ${res.text.slice(0, 120)}`);
        }
        assert.deepEqual(bad, []);
      });

      it('GET /groups/:id/runners lists the group\'s, its ancestors\' and instance runners to Maintainers', async () => {
        const runners = await t.api('GET', `/groups/${subgroup.id}/runners`, { token: owner.token });
        assert.equal(runners.status, 200);
        assertEntities('Runner', runners.body);
        assert.deepEqual(descriptions(runners.body), ['Group runner A', 'Group runner B', 'Shared runner']);
        assert.deepEqual(descriptions((await t.api('GET', `/groups/${group.id}/runners`, { token: groupMaint.token })).body), ['Group runner A', 'Shared runner']);
        assert.deepEqual(descriptions((await t.api('GET', `/groups/${group.id}/runners?type=instance_type`, { token: owner.token })).body), ['Shared runner']);
        assert.deepEqual((await t.api('GET', `/groups/${group.id}/runners?type=project_type`, { token: owner.token })).body, []);
        // No deprecated `scope` on group lists: it is ignored.
        assert.equal((await t.api('GET', `/groups/${group.id}/runners?scope=bogus`, { token: owner.token })).status, 200);
        await addGroupMember(group.id, reporter.id, 30);
        assert.deepEqual((await t.api('GET', `/groups/${group.id}/runners`, { token: reporter.token })).body, { message: '403 Forbidden' });
        assert.deepEqual((await t.api('GET', `/groups/${group.id}/runners`, { token: stranger.token })).body, { message: '404 Group Not Found' });
      });
    });
  });
}
