/** §9 cases 85–90: GET /projects/:id/pipelines/:pipeline_id/bridges (caller: maintainer). */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ServiceContext } from '../../../src/services/context.js';
import type { Job } from '../../../src/store/jobs-repository.js';
import type { Pipeline } from '../../../src/store/pipelines-repository.js';
import { DIALECTS } from '../../helpers/databases.js';
import { assertBridge } from '../../helpers/entity-schemas.js';
import { createProject } from '../../helpers/fixtures.js';
import { jobNamed, jobsOf, pushPipeline } from '../../helpers/pipelines.js';
import { startTestServer, type TestServer } from '../../helpers/server.js';
import { createCast, eventually, OFFSET_HEADERS, privateProject, reload, run, type Cast } from './common.js';

const CONFIG = `
stages: [build, deploy]
build:
  stage: build
  script: make
child_a:
  stage: deploy
  trigger:
    include: ci/child.yml
    strategy: depend
child_b:
  stage: deploy
  when: manual
  trigger:
    include: ci/child.yml
`;
const FILES = { 'ci/child.yml': 'child:\n  script: x\n', '.gitlab-ci.yml': CONFIG };

for (const dialect of DIALECTS) {
  describe(`Jobs API acceptance: GET /projects/:id/pipelines/:pipeline_id/bridges (${dialect})`, () => {
    let t: TestServer;
    let ctx: ServiceContext;
    let cast: Cast;
    let project: any;
    let pipeline: Pipeline;
    let childA: Job;
    let downstream: Pipeline;
    const bridges = (query = '', token: string | null = cast.mnt.token, projectId: number = project.id, pipelineId: number = pipeline.id) =>
      t.api('GET', `/projects/${projectId}/pipelines/${pipelineId}/bridges${query}`, { token });

    before(async () => {
      t = await startTestServer(dialect);
      ctx = t.server.app.ctx;
      cast = await createCast(t);
      project = await privateProject(t, cast);
      pipeline = await pushPipeline(t, project, FILES);
      await run(ctx, await jobNamed(ctx, pipeline.id, 'build'));
      childA = await eventually(async () => {
        const b = await jobNamed(ctx, pipeline.id, 'child_a');
        return b.status === 'running' && b.downstreamPipelineId !== null ? b : undefined;
      }, 'child_a to start its child pipeline');
      downstream = (await ctx.store.pipelines.findById(childA.downstreamPipelineId!))!;
      pipeline = (await ctx.store.pipelines.findById(pipeline.id))!;
    });
    after(() => t.close());

    it("case 85: 200 array with pagination headers; [0] is the newest bridge; commit.id = sha", async () => {
      const res = await bridges();
      assert.equal(res.status, 200);
      assert.ok(Array.isArray(res.body));
      assertBridge(res.body);
      for (const header of [...OFFSET_HEADERS, 'x-total', 'x-total-pages']) assert.notEqual(res.headers.get(header), null, `${header} present`);
      const newest = (await jobsOf(ctx, pipeline.id)).filter((j) => j.type === 'bridge').sort((a, b) => b.id - a.id)[0];
      assert.deepEqual([res.body[0].id, res.body[0].name, res.body[0].stage], [newest.id, newest.name, newest.stage]);
      assert.equal(res.body[0].commit.id, pipeline.sha);
      assert.equal(res.body.length, 2);
    });

    it('case 86: pipeline fields match; downstream_pipeline matches the pipeline it started', async () => {
      const res = await bridges();
      assertBridge(res.body);
      const a = res.body.find((b: any) => b.id === childA.id);
      assert.ok(a, 'child_a listed');
      const p = a.pipeline;
      assert.deepEqual([p.id, p.project_id, p.ref, p.sha], [pipeline.id, project.id, pipeline.ref, pipeline.sha]);
      assert.equal(p.status, (await ctx.store.pipelines.findById(pipeline.id))!.status);
      const d = a.downstream_pipeline;
      const fresh = (await ctx.store.pipelines.findById(downstream.id))!;
      assert.deepEqual([d.id, d.project_id, d.ref, d.sha, d.status], [fresh.id, project.id, fresh.ref, fresh.sha, fresh.status]);
      const b = res.body.find((x: any) => x.name === 'child_b');
      assert.equal(b.downstream_pipeline, null, 'a trigger job that has not run started nothing');
    });

    it('case 87: bridges pending and running: scope=pending → 1, scope[]=pending&scope[]=running → 2', async () => {
      // A trigger job leaves `pending` as soon as the engine sees it; hold child_b there directly (no event, so nothing runs it).
      const childB = await jobNamed(ctx, pipeline.id, 'child_b');
      await ctx.store.jobs.update(childB.id, { status: 'pending', queuedAt: new Date().toISOString() });
      assert.equal((await reload(ctx, childA.id)).status, 'running');
      const pending = await bridges('?scope=pending');
      assert.equal(pending.status, 200);
      assertBridge(pending.body);
      assert.deepEqual(pending.body.map((b: any) => [b.id, b.status]), [[childB.id, 'pending']]);
      const both = await bridges('?scope[]=pending&scope[]=running');
      assert.equal(both.status, 200);
      assertBridge(both.body);
      assert.deepEqual(both.body.map((b: any) => b.id).sort((x: number, y: number) => x - y), [childA.id, childB.id].sort((x, y) => x - y));
    });

    it('case 88: scope[]=unknown&scope[]=running, scope[unknown]=true, scope=unknown → 400 each', async () => {
      for (const query of ['?scope[]=unknown&scope[]=running', '?scope[unknown]=true', '?scope=unknown']) {
        const res = await bridges(query);
        assert.deepEqual([res.status, res.body], [400, { error: 'scope does not have a valid value' }], query);
      }
    });

    it('case 89: bridges of other pipelines are excluded', async () => {
      const other = await pushPipeline(t, project, FILES, 'other-branch');
      const otherBridges = (await jobsOf(ctx, other.id, { includeRetried: true })).filter((j) => j.type === 'bridge').map((j) => j.id);
      assert.ok(otherBridges.length > 0);
      const res = await bridges('?per_page=100');
      assertBridge(res.body);
      assert.ok(res.body.every((b: any) => b.pipeline.id === pipeline.id && !otherBridges.includes(b.id)));
      const theirs = await bridges('?per_page=100', cast.mnt.token, project.id, other.id);
      assert.equal(theirs.status, 200);
      assertBridge(theirs.body);
      assert.deepEqual(theirs.body.map((b: any) => b.id).sort((x: number, y: number) => x - y), [...otherBridges].sort((x, y) => x - y));
      // Child pipelines' jobs are not the parent's bridges either.
      assert.ok(!res.body.some((b: any) => b.pipeline.id === downstream.id));
    });

    it('case 90: unseen project → 404 Project Not Found; anonymous → 404 Project Not Found; guest → 403', async () => {
      const hidden = await createProject(t, { visibility: 'private' });
      const unseen = await bridges('', cast.mnt.token, hidden.id);
      assert.deepEqual([unseen.status, unseen.body], [404, { message: '404 Project Not Found' }]);
      const anonymous = await bridges('', null);
      assert.deepEqual([anonymous.status, anonymous.body], [404, { message: '404 Project Not Found' }]);
      const guest = await bridges('', cast.gst.token);
      assert.deepEqual([guest.status, guest.body], [403, { message: '403 Forbidden' }]);
    });
  });
}
