import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ServiceContext } from '../../src/services/context.js';
import { createPipeline } from '../../src/services/pipelines/create-pipeline.js';
import { buildJobVariables } from '../../src/services/pipelines/job-variables.js';
import { createGroup, createProject } from '../helpers/fixtures.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

describe('job variables (precedence and protection)', () => {
  let t: TestServer;
  let ctx: ServiceContext;
  before(async () => {
    t = await startTestServer('sqlite');
    ctx = t.server.app.ctx;
  });
  after(() => t.close());

  async function variablesFor(protectedRef: boolean) {
    const group = await createGroup(t);
    const created = await createProject(t, { namespace_id: group.id });
    await t.api('POST', `/groups/${group.id}/variables`, { body: { key: 'SHARED', value: 'from-group' } });
    await t.api('POST', `/groups/${group.id}/variables`, { body: { key: 'GROUP_SECRET', value: 'protected-only', protected: true } });
    await t.api('POST', `/projects/${created.id}/variables`, { body: { key: 'SHARED', value: 'from-project' } });
    await t.api('POST', `/projects/${created.id}/variables`, { body: { key: 'CERT', value: 'pem', variable_type: 'file', masked: false } });
    const project = (await ctx.store.projects.findById(created.id))!;
    const result = await createPipeline(ctx, {
      project, userId: 1, ref: 'main', tag: false, sha: 'a'.repeat(40), beforeSha: '0'.repeat(40), source: 'api', commitMessage: 'Title\n\nBody',
      committedAt: null, configText: 'variables:\n  SHARED: from-yaml\n  RAW: { value: "$KEEP", expand: false }\njob:\n  script: x\n',
      files: { read: async () => null }, changedPaths: null, variables: [{ key: 'SHARED', value: 'from-pipeline', variable_type: 'env_var' }],
      projectVariables: {}, protectedRef,
    }, { keepFailed: false });
    assert.equal(result.status, 'created');
    if (result.status !== 'created') throw new Error('no pipeline');
    const job = result.jobs[0];
    const vars = await buildJobVariables(ctx, { job, pipeline: result.pipeline, project, user: (await ctx.store.users.findById(1))!, jobToken: 'glcbt-x' });
    return { vars, job, pipeline: result.pipeline };
  }

  it('orders variables so later sources win, as the runner applies them', async () => {
    const { vars, job, pipeline } = await variablesFor(false);
    const shared = vars.filter((v) => v.key === 'SHARED').map((v) => v.value);
    assert.deepEqual(shared, ['from-yaml', 'from-group', 'from-project', 'from-pipeline']);
    const get = (key: string) => vars.find((v) => v.key === key);
    assert.equal(get('CI_JOB_ID')?.value, String(job.id));
    assert.equal(get('CI_PIPELINE_IID')?.value, String(pipeline.iid));
    assert.equal(get('CI_COMMIT_BRANCH')?.value, 'main');
    assert.equal(get('CI_COMMIT_REF_PROTECTED')?.value, 'false');
    assert.equal(get('GITLAB_USER_LOGIN')?.value, 'root');
    assert.deepEqual(get('CI_JOB_TOKEN'), { key: 'CI_JOB_TOKEN', value: 'glcbt-x', public: false, masked: true });
    assert.equal(get('RAW')?.raw, true);
    assert.equal(get('CERT')?.file, true);
    assert.equal(get('CI_SERVER'), undefined, 'the runner sets CI_SERVER itself');
    assert.equal(get('GROUP_SECRET'), undefined, 'protected variables stay away from unprotected refs');
  });

  it('gives protected variables to jobs on protected refs', async () => {
    const { vars } = await variablesFor(true);
    assert.equal(vars.find((v) => v.key === 'GROUP_SECRET')?.value, 'protected-only');
  });
});
