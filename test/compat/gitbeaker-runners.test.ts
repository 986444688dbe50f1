// Client compatibility: @gitbeaker/rest 43 (fetch-based, ESM) against the runner management API.
//
// Each dialect gets its own server with an instance runner, a group runner, a project runner that ran two
// jobs through the runner protocol, and another project's runner. The tests call Runners the way
// applications do: all (instance-wide, owned, per project and group, with filters and showExpanded), show,
// edit, allJobs, enable, disable, remove, and the errors gitbeaker throws.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Gitlab, GitbeakerRequestError } from '@gitbeaker/rest';
import type { OffsetPagination } from '@gitbeaker/rest';
import { DIALECTS } from '../helpers/databases.js';
import { createGroup, createProject, createUser } from '../helpers/fixtures.js';
import { pushPipeline } from '../helpers/pipelines.js';
import { createRunner, requestJob, RUNNER_INFO, updateJob } from '../helpers/runners.js';
import { ROOT_TOKEN, startTestServer, type TestServer } from '../helpers/server.js';

interface Fixture {
  projectId: number;
  groupId: number;
  userToken: string;
  runners: Record<'shared' | 'group' | 'project' | 'other', number>;
  jobs: { success: number; failed: number };
}

async function rejection(promise: Promise<unknown>): Promise<{ status: number; description: string }> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof GitbeakerRequestError, `expected a GitbeakerRequestError, got ${String(error)}`);
    const cause = error.cause as { description: string; response: Response };
    return { status: cause.response.status, description: cause.description };
  }
  assert.fail('expected the request to fail');
}

/** Runs two jobs on the project runner through the runner protocol, so it has a machine and a history. */
async function buildFixture(t: TestServer): Promise<Fixture> {
  const group = await createGroup(t);
  const project = await createProject(t, { namespace_id: group.id });
  const other = await createProject(t);
  const user = await createUser(t);
  const shared = await createRunner(t, { description: 'Shared runner' });
  const groupRunner = await createRunner(t, { runner_type: 'group_type', group_id: group.id, description: 'Group runner' });
  const projectRunner = await createRunner(t, { runner_type: 'project_type', project_id: project.id, description: 'Project runner', tag_list: ['linux'] });
  const otherRunner = await createRunner(t, { runner_type: 'project_type', project_id: other.id, description: 'Other runner' });
  await pushPipeline(t, project, { '.gitlab-ci.yml': 'ok:\n  tags: [linux]\n  script: a\nbad:\n  tags: [linux]\n  script: b\n' });
  const jobs = { success: 0, failed: 0 };
  for (const state of ['success', 'failed'] as const) {
    const taken = await requestJob(t, projectRunner.token);
    assert.equal(taken.status, 201, taken.text);
    await updateJob(t, taken.body.id, taken.body.token, { state, ...(state === 'failed' ? { failure_reason: 'script_failure' } : {}) });
    jobs[state] = taken.body.id;
  }
  return {
    projectId: project.id,
    groupId: group.id,
    userToken: user.token,
    runners: { shared: shared.id, group: groupRunner.id, project: projectRunner.id, other: otherRunner.id },
    jobs,
  };
}

const ids = (list: Array<{ id: number }>) => list.map((r) => r.id);

for (const dialect of DIALECTS) {
  describe(`@gitbeaker/rest 43 runners API compatibility (${dialect})`, () => {
    let t: TestServer;
    let api: InstanceType<typeof Gitlab>;
    let fx: Fixture;

    before(async () => {
      t = await startTestServer(dialect);
      api = new Gitlab({ host: t.url, token: ROOT_TOKEN });
      fx = await buildFixture(t);
    });
    after(() => t?.close());

    it('Runners.all() lists every runner (GET /runners/all), with type and tagList filters', async () => {
      const R = fx.runners;
      assert.deepEqual(ids(await api.Runners.all()), [R.shared, R.group, R.project, R.other]);
      assert.deepEqual(ids(await api.Runners.all({ type: 'group_type' })), [R.group]);
      assert.deepEqual(ids(await api.Runners.all({ tagList: ['linux'] })), [R.project]);
      assert.deepEqual(ids(await api.Runners.all({ status: 'online' })), [R.project]);
      const { data, paginationInfo } = await api.Runners.all({ perPage: 2, maxPages: 1, showExpanded: true });
      assert.deepEqual(ids(data), [R.shared, R.group]);
      const info = paginationInfo as unknown as OffsetPagination;
      assert.deepEqual([info.total, info.totalPages, info.next, info.current], [4, 2, 2, 1]);
    });

    it('Runners.all({ owned, projectId, groupId }) list owned, project and group runners', async () => {
      const R = fx.runners;
      assert.deepEqual(ids(await api.Runners.all({ owned: true })), [R.group, R.project, R.other]);
      assert.deepEqual(ids(await api.Runners.all({ projectId: fx.projectId })), [R.shared, R.group, R.project]);
      assert.deepEqual(ids(await api.Runners.all({ groupId: fx.groupId })), [R.shared, R.group]);
      assert.deepEqual(ids(await api.Runners.all({ projectId: fx.projectId, type: 'project_type' })), [R.project]);
    });

    it('Runners.show(id) answers RunnerDetails with the newest machine\'s version', async () => {
      const runner = await api.Runners.show(fx.runners.project);
      assert.equal(runner.id, fx.runners.project);
      assert.equal(runner.description, 'Project runner');
      assert.deepEqual(runner.tag_list, ['linux']);
      assert.equal(runner.version, RUNNER_INFO.version);
      assert.equal(runner.status, 'online');
      assert.deepEqual((runner.projects as Array<{ id: number }>).map((p) => p.id), [fx.projectId]);
    });

    it('Runners.edit(id, { description, tagList, paused }) changes the runner and answers it', async () => {
      const edited = await api.Runners.edit(fx.runners.group, { description: 'Edited by gitbeaker', tagList: ['arm64', 'docker'], paused: true });
      assert.deepEqual([edited.description, edited.tag_list, edited.paused, edited.active], ['Edited by gitbeaker', ['arm64', 'docker'], true, false]);
      const shown = await api.Runners.show(fx.runners.group);
      assert.deepEqual([shown.description, shown.tag_list, shown.paused], ['Edited by gitbeaker', ['arm64', 'docker'], true]);
    });

    it('Runners.allJobs(id) lists the runner\'s jobs, filtered by status and ordered by id', async () => {
      const all = await api.Runners.allJobs(fx.runners.project);
      assert.deepEqual(ids(all), [fx.jobs.success, fx.jobs.failed]);
      assert.equal((all[0] as any).project.id, fx.projectId);
      assert.deepEqual(ids(await api.Runners.allJobs(fx.runners.project, { status: 'failed' })), [fx.jobs.failed]);
      assert.deepEqual(ids(await api.Runners.allJobs(fx.runners.project, { orderBy: 'id', sort: 'desc' })), [fx.jobs.failed, fx.jobs.success]);
    });

    it('Jobs.show(project, job) shows the runner that ran the job', async () => {
      const job = await api.Jobs.show(fx.projectId, fx.jobs.success);
      assert.equal((job.runner as any).id, fx.runners.project);
      assert.equal((job.runner as any).runner_type, 'project_type');
      assert.equal((job as any).runner_manager.system_id, 's_0123456789ab');
    });

    it('Runners.enable and Runners.disable assign and unassign another project\'s runner', async () => {
      const enabled = await api.Runners.enable(fx.projectId, fx.runners.other);
      assert.equal(enabled.id, fx.runners.other);
      assert.ok(ids(await api.Runners.all({ projectId: fx.projectId })).includes(fx.runners.other));
      await api.Runners.disable(fx.projectId, fx.runners.other);
      assert.ok(!ids(await api.Runners.all({ projectId: fx.projectId })).includes(fx.runners.other));
      assert.deepEqual(await rejection(api.Runners.disable(fx.projectId, fx.runners.project)), {
        status: 403, description: '403 Forbidden - Only one project associated with the runner. Please remove the runner instead',
      });
    });

    it('Runners.remove({ runnerId }) deletes; errors carry GitLab\'s status and message', async () => {
      await api.Runners.remove({ runnerId: fx.runners.other });
      assert.deepEqual(await rejection(api.Runners.show(fx.runners.other)), { status: 404, description: '404 Not found' });
      const user = new Gitlab({ host: t.url, token: fx.userToken });
      assert.deepEqual(await rejection(user.Runners.all()), { status: 403, description: '403 Forbidden' });
      assert.deepEqual(await rejection(user.Runners.show(fx.runners.project)), { status: 403, description: '403 Forbidden - No access granted' });
      assert.equal((await user.Runners.show(fx.runners.shared)).id, fx.runners.shared);
      assert.deepEqual(await rejection(api.Runners.all({ type: 'bogus' as 'group_type' })), { status: 400, description: 'type does not have a valid value' });
    });
  });
}
