import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext } from 'playwright-core';
import { makeZip, runWithArtifacts } from '../helpers/artifacts.js';
import { launchChromium, NO_BROWSER, signIn } from '../helpers/browser.js';
import { addMember, createProject, createUser, unique } from '../helpers/fixtures.js';
import { pushPipeline } from '../helpers/pipelines.js';
import { createRunner, patchTrace, requestJob, updateJob } from '../helpers/runners.js';
import { ROOT_PASSWORD, startTestServer, type TestServer } from '../helpers/server.js';

const SHOTS = path.resolve('test-results');
const ESC = '\u001b';
const XSS_FILE = '<img src=x onerror=window.__xss=1>.txt';

const CI_YAML = `
stages: [build, test, deploy]
build:
  stage: build
  script: make
"<b>weird</b> name":
  stage: build
  script: echo hi
approve:
  stage: build
  when: manual
  allow_failure: true
  script: echo approve
test:
  stage: test
  needs: [build]
  script: make test
deploy:
  stage: deploy
  script: make deploy
`;

describe('web UI in Chromium', { skip: NO_BROWSER }, () => {
  let t: TestServer;
  let browser: Browser;
  let root: BrowserContext;
  let project: { id: number; path_with_namespace: string };
  let pipelineId: number;
  let runner: { id: number; token: string };
  let build: { id: number; token: string };
  let reporter: { username: string };
  let offset = 0;

  const newContext = (width = 1280, height = 900) => browser.newContext({ baseURL: t.url, viewport: { width, height } });
  const log = async (text: string) => {
    await patchTrace(t, build.id, build.token, offset, text);
    offset += Buffer.byteLength(text);
  };

  before(async () => {
    fs.mkdirSync(SHOTS, { recursive: true });
    t = await startTestServer('sqlite');
    browser = await launchChromium();
    project = await createProject(t, { name: unique('web'), visibility: 'private' });
    runner = await createRunner(t);
    const pipeline = await pushPipeline(t, project, { '.gitlab-ci.yml': CI_YAML, [XSS_FILE]: 'x' });
    pipelineId = pipeline.id;
    const picked = await requestJob(t, runner.token);
    assert.equal(picked.status, 201, picked.text);
    build = { id: picked.body.id, token: picked.body.token };
    if (picked.body.job_info.name !== 'build') {
      // The other first-stage job came first: finish it and take build.
      await updateJob(t, build.id, build.token, { state: 'success' });
      const next = await requestJob(t, runner.token);
      build = { id: next.body.id, token: next.body.token };
    }
    const user = await createUser(t);
    await addMember(t, project.id, user.id, 20);
    reporter = user;
    await log(`section_start:1700000000:prepare_script\r${ESC}[0K${ESC}[36;1mPreparing the environment${ESC}[0;m\nRunning on host\n`);
    await log(`${ESC}[31;1mred alert${ESC}[0m and <script>window.__xss=1</script>\n`);
    root = await newContext();
    const page = await root.newPage();
    await signIn(page, 'root', ROOT_PASSWORD);
    await page.close();
  });

  after(async () => {
    await browser?.close();
    await t?.close();
  });

  it('shows the pipeline as stage columns with needs, and renders user data inert', async () => {
    const page = await root.newPage();
    await page.goto(`/${project.path_with_namespace}/-/pipelines`);
    await page.getByRole('link', { name: `#${pipelineId}` }).click();
    await page.waitForURL(`**/-/pipelines/${pipelineId}`);
    for (const stage of ['build', 'test', 'deploy']) await page.getByRole('heading', { name: stage, exact: true }).waitFor();
    assert.match(await page.locator('.job-card[data-job="test"]').innerText(), /needs: build/);
    assert.equal(await page.locator('.job-card[data-job="<b>weird</b> name"] .job-name').innerText(), '<b>weird</b> name');
    assert.match(await page.locator('.meta').innerText(), /change <img src=x onerror=window.__xss=1>\.txt/);
    assert.equal(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss), undefined);
    assert.ok(await page.getByRole('button', { name: 'Cancel pipeline' }).isVisible());
    await page.screenshot({ path: path.join(SHOTS, 'pipeline-1280.png'), fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: path.join(SHOTS, 'pipeline-390.png'), fullPage: true });
    await page.close();
  });

  it('follows a running job: colours, live lines without reload, sections that fold, links to lines', async () => {
    const page = await root.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    await page.goto(`/${project.path_with_namespace}/-/jobs/${build.id}`);
    await page.locator('#job-status', { hasText: 'running' }).waitFor();
    const red = page.locator('.line .ansi-red-fg', { hasText: 'red alert' });
    await red.waitFor();
    assert.ok(await red.evaluate((el) => el.classList.contains('ansi-bold')));
    assert.equal(await red.evaluate((el) => getComputedStyle(el).color), 'rgb(245, 122, 107)');
    await page.locator('.line', { hasText: '<script>window.__xss=1</script>' }).waitFor();
    assert.equal(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss), undefined);

    // New output appears without reloading the page.
    const navigations: string[] = [];
    page.on('framenavigated', (frame) => navigations.push(frame.url()));
    await log('step one done\n');
    await page.locator('.line', { hasText: 'step one done' }).waitFor({ timeout: 5000 });
    await log(`section_end:1700000003:prepare_script\r${ESC}[0K\n`);
    const section = page.locator('.section[data-section="prepare_script"]');
    await section.locator('.section-duration', { hasText: '00:03' }).waitFor();
    assert.deepEqual(navigations, []);

    // Fold the section with the keyboard and with the mouse.
    const header = section.locator('.section-header');
    const inside = section.locator('.line', { hasText: 'Running on host' });
    assert.ok(await inside.isVisible());
    await header.focus();
    await page.keyboard.press('Enter');
    assert.equal(await inside.isVisible(), false);
    assert.equal(await header.getAttribute('aria-expanded'), 'false');
    await header.click();
    assert.ok(await inside.isVisible());

    // Scrolling up stops following; line numbers are links.
    for (let i = 0; i < 60; i++) await log(`filler line ${i}\n`);
    await page.locator('.line', { hasText: 'filler line 59' }).waitFor();
    await page.waitForFunction(() => {
      const log = document.getElementById('log')!;
      return log.scrollHeight - log.scrollTop - log.clientHeight < 30;
    });
    assert.ok(await page.locator('#log-follow').isChecked(), 'follows the end while at the bottom');
    await page.locator('#log').evaluate((el) => { el.scrollTop = 0; el.dispatchEvent(new Event('scroll')); });
    assert.equal(await page.locator('#log-follow').isChecked(), false);
    await page.locator('a.ln', { hasText: /^2$/ }).click();
    assert.ok(page.url().endsWith('#L2'));
    assert.ok(await page.locator('#L2').evaluate((el) => el.classList.contains('highlight')));
    await page.screenshot({ path: path.join(SHOTS, 'job-1280.png') });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: path.join(SHOTS, 'job-390.png'), fullPage: true });
    assert.deepEqual(errors, []);
    await page.close();
  });

  it('hides cancel, retry and erase from a Reporter, and refuses the Reporter\'s direct POST', async () => {
    const context = await newContext();
    const page = await context.newPage();
    await signIn(page, reporter.username, 'password-1234');
    await page.goto(`/${project.path_with_namespace}/-/jobs/${build.id}`);
    await page.locator('.line', { hasText: 'red alert' }).waitFor();
    for (const name of ['Cancel', 'Retry', 'Erase']) assert.equal(await page.getByRole('button', { name, exact: true }).count(), 0, name);
    await page.goto(`/${project.path_with_namespace}/-/pipelines/${pipelineId}`);
    assert.equal(await page.getByRole('button', { name: 'Cancel pipeline' }).count(), 0);
    assert.equal(await page.locator('.job-actions form').count(), 0);
    const csrf = await page.locator('meta[name="csrf-token"]').getAttribute('content');
    const refused = await page.request.post(`/${project.path_with_namespace}/-/jobs/${build.id}/cancel`, { form: { authenticity_token: csrf! }, headers: { accept: 'text/html' }, maxRedirects: 0 });
    assert.equal(refused.status(), 403);
    const forged = await page.request.post(`/${project.path_with_namespace}/-/jobs/${build.id}/cancel`, { form: {}, headers: { accept: 'text/html' }, maxRedirects: 0 });
    assert.equal(forged.status(), 422, 'no CSRF token: rejected before anything else');
    const job = await t.api('GET', `/projects/${project.id}/jobs/${build.id}`);
    assert.equal(job.body.status, 'running');
    await context.close();
  });

  it('cancels the running job, retries it, and plays a manual job with a variable', async () => {
    const page = await root.newPage();
    await page.goto(`/${project.path_with_namespace}/-/jobs/${build.id}`);
    await page.getByRole('button', { name: 'Cancel', exact: true }).click();
    await page.locator('#job-status', { hasText: 'canceled' }).waitFor();
    assert.equal((await t.api('GET', `/projects/${project.id}/jobs/${build.id}`)).body.status, 'canceled');
    await page.getByRole('button', { name: 'Retry', exact: true }).click();
    await page.waitForURL((url) => !url.pathname.endsWith(`/jobs/${build.id}`));
    const retriedId = Number(/\/jobs\/(\d+)$/.exec(new URL(page.url()).pathname)?.[1]);
    assert.ok(retriedId > build.id);
    assert.equal((await t.api('GET', `/projects/${project.id}/jobs/${retriedId}`)).body.status, 'pending');

    const jobs = await t.api('GET', `/projects/${project.id}/pipelines/${pipelineId}/jobs`);
    const approve = jobs.body.find((j: { name: string }) => j.name === 'approve');
    await page.goto(`/${project.path_with_namespace}/-/jobs/${approve.id}`);
    await page.getByLabel('Variable 1 key').fill('DEPLOY_TARGET');
    await page.getByLabel('Variable 1 value').fill('staging');
    await page.getByRole('button', { name: 'Run job' }).click();
    await page.locator('#job-status', { hasText: 'pending' }).waitFor();
    // The runner receives the variable with the job.
    const payloads = [await requestJob(t, runner.token), await requestJob(t, runner.token)];
    const played = payloads.find((p) => p.body?.id === approve.id);
    assert.ok(played, 'the played job is handed to a runner');
    assert.ok(played.body.variables.some((v: { key: string; value: string }) => v.key === 'DEPLOY_TARGET' && v.value === 'staging'));
    await page.close();
  });

  it('signed out: a private project sends to sign-in; a public one is browsable with its jobs', async () => {
    const open = await createProject(t, { name: unique('open'), visibility: 'public' });
    const publicPipeline = await pushPipeline(t, open, { '.gitlab-ci.yml': 'hello:\n  script: echo hello\n' });
    const context = await newContext(390, 844);
    const page = await context.newPage();
    await page.goto(`/${project.path_with_namespace}`);
    assert.match(new URL(page.url()).pathname, /^\/users\/sign_in$/);
    await page.goto('/');
    assert.equal(await page.getByRole('link', { name: project.path_with_namespace }).count(), 0);
    await page.getByRole('link', { name: open.path_with_namespace }).click();
    await page.getByRole('link', { name: `#${publicPipeline.id}` }).click();
    await page.getByRole('link', { name: 'hello' }).click();
    await page.locator('#job-status', { hasText: 'pending' }).waitFor();
    assert.equal(await page.getByRole('button', { name: 'Cancel', exact: true }).count(), 0);
    await context.close();
  });

  it('browses a job\'s artifacts: folders, text files shown inert, downloads sandboxed', async () => {
    const store = new Project(t);
    const job = await store.jobWithArtifacts(makeZip([
      { name: 'index.html', data: '<h1>report</h1><script>window.__xss=1</script>' },
      { name: 'reports/notes.txt', data: 'all good\n<b>not bold</b>\n' },
      { name: 'reports/deep/data.bin', data: Buffer.from([0, 1, 2, 3]) },
    ]));
    const page = await root.newPage();
    await page.goto(`/${store.path}/-/jobs/${job}`);
    await page.getByRole('link', { name: 'Browse' }).click();
    await page.getByRole('link', { name: 'reports/', exact: true }).click();
    await page.getByRole('link', { name: 'notes.txt', exact: true }).click();
    assert.equal(await page.locator('#artifact-file').innerText(), 'all good\n<b>not bold</b>\n');
    await page.goBack();
    await page.getByRole('link', { name: 'deep/', exact: true }).click();
    await page.getByRole('link', { name: 'data.bin', exact: true }).click();
    await page.getByText('This file is not text').waitFor();
    await page.goto(`/${store.path}/-/jobs/${job}/artifacts/browse`);
    await page.getByRole('link', { name: 'index.html', exact: true }).click();
    assert.match(await page.locator('#artifact-file').innerText(), /<script>window.__xss=1<\/script>/);
    assert.equal(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss), undefined);
    const download = await page.request.get(`/api/v4/projects/${store.id}/jobs/${job}/artifacts/index.html`);
    assert.equal(download.status(), 200);
    assert.match(download.headers()['content-security-policy'] ?? '', /sandbox/);
    assert.match(download.headers()['content-disposition'] ?? '', /^attachment/);
    await page.close();
  });

  it('locks the account after ten wrong passwords in the form', async () => {
    const victim = await createUser(t);
    const context = await newContext();
    const page = await context.newPage();
    for (let i = 0; i < 10; i++) {
      await page.goto('/users/sign_in');
      await page.getByLabel('Username or email').fill(victim.username);
      await page.getByLabel('Password').fill(`wrong-${i}`);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.locator('#sign-in-error').waitFor();
    }
    assert.match(await page.locator('#sign-in-error').innerText(), /locked/);
    await page.getByLabel('Password').fill('password-1234');
    await page.getByRole('button', { name: 'Sign in' }).click();
    assert.match(await page.locator('#sign-in-error').innerText(), /locked/);
    await context.close();
  });
});

/** A root-owned project whose one job has finished with an artifacts archive. */
class Project {
  id = 0;
  path = '';
  constructor(private readonly t: TestServer) {}

  async jobWithArtifacts(zip: Buffer): Promise<number> {
    const project = await createProject(this.t, { name: unique('arts') });
    this.id = project.id;
    this.path = project.path_with_namespace;
    const pipeline = await pushPipeline(this.t, project, { '.gitlab-ci.yml': 'pack:\n  script: make\n  artifacts:\n    paths: [out]\n' });
    const [job] = await this.t.server.app.ctx.store.jobs.listByPipeline(pipeline.id);
    await runWithArtifacts(this.t, job, [{ body: zip }]);
    return job.id;
  }
}
