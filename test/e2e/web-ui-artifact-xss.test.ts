/**
 * Artifact files are written by whoever controls a job's script, so an HTML or SVG file in an archive is
 * hostile content. Whatever way a signed-in user opens one — the artifacts browser, the raw API URLs, a
 * browser that ignored `Content-Disposition` — its scripts must never run in the app's origin, where they
 * would act with the user's session.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { makeZip, runWithArtifacts } from '../helpers/artifacts.js';
import { launchChromium, NO_BROWSER, signedInContext } from '../helpers/browser.js';
import { createProject, unique } from '../helpers/fixtures.js';
import { pushPipeline } from '../helpers/pipelines.js';
import { ROOT_PASSWORD, startTestServer, type TestServer } from '../helpers/server.js';

/** Everything a script could do to show it ran: retitle, write app storage, reach the opener, call home. */
const PAYLOAD = (tag: string) =>
  `document.title='pwned';try{localStorage.setItem('pwned','${tag}')}catch(e){}try{opener.pwned=1}catch(e){}` +
  `fetch('/api/v4/user?pwned=${tag}').catch(function(){});new Image().src='/pwned-beacon?${tag}';`;

const FILES = {
  'site/report.html': `<!DOCTYPE html><html><head><title>report</title><script>${PAYLOAD('html')}</script></head><body onload="${PAYLOAD('onload')}"><h1>report</h1></body></html>`,
  'site/logo.svg': `<svg xmlns="http://www.w3.org/2000/svg" onload="${PAYLOAD('svg-onload')}"><title>logo</title><script>${PAYLOAD('svg')}</script><rect width="10" height="10"/></svg>`,
  // HTML under names that promise something else: the type comes from the name and is never sniffed.
  'site/notes.txt': `<html><script>${PAYLOAD('txt')}</script><b>notes</b></html>`,
  'site/README': `<html><script>${PAYLOAD('noext')}</script></html>`,
};

describe('artifact HTML and SVG never run in the app\'s origin (Chromium)', { skip: NO_BROWSER }, () => {
  let t: TestServer;
  let browser: Browser;
  let context: BrowserContext;
  let project: { id: number; path_with_namespace: string };
  let jobId: number;
  /** Every request the pages made that only a payload would make. */
  const calledHome: string[] = [];

  before(async () => {
    t = await startTestServer('sqlite');
    browser = await launchChromium();
    // Private: the files are reachable only with root's session, which a payload in the app's origin would ride.
    project = await createProject(t, { name: unique('xss'), visibility: 'private' });
    const pipeline = await pushPipeline(t, project, { '.gitlab-ci.yml': 'pack:\n  script: make\n  artifacts:\n    paths: [site]\n' });
    const [job] = await t.server.app.ctx.store.jobs.listByPipeline(pipeline.id);
    await runWithArtifacts(t, job, [{ body: makeZip(Object.entries(FILES).map(([name, data]) => ({ name, data }))) }]);
    jobId = job.id;
    context = await signedInContext(browser, t.url, 'root', ROOT_PASSWORD, { acceptDownloads: true });
    context.on('request', (request) => {
      if (request.url().includes('pwned')) calledHome.push(request.url());
    });
  });

  after(async () => {
    await browser?.close();
    await t?.close();
  });

  /** The app's own origin shows no trace of a payload. */
  async function assertAppUntouched(page: Page): Promise<void> {
    await page.goto(`/${project.path_with_namespace}`);
    assert.equal(await page.evaluate(() => localStorage.getItem('pwned')), null, 'app storage untouched');
    assert.equal(await page.evaluate(() => (window as unknown as { pwned?: number }).pwned), undefined);
    assert.deepEqual(calledHome, [], 'no payload request left any page');
  }

  const jobFileUrl = (file: string) => `/api/v4/projects/${project.id}/jobs/${jobId}/artifacts/${file}`;
  const refFileUrl = (file: string) => `/api/v4/projects/${project.id}/jobs/artifacts/main/raw/${file}?job=pack`;

  it('shows HTML and SVG files in the artifacts browser as escaped text', async () => {
    const page = await context.newPage();
    for (const [file, source] of Object.entries(FILES)) {
      const name = file.split('/').pop()!;
      await page.goto(`/${project.path_with_namespace}/-/jobs/${jobId}/artifacts/browse/site`);
      await page.getByRole('link', { name, exact: true }).click();
      assert.equal(await page.locator('#artifact-file').innerText(), source, `${file} is shown as its source text`);
      assert.equal(await page.title(), `${file} · Conveyor`);
      assert.equal(await page.evaluate(() => localStorage.getItem('pwned')), null);
    }
    await assertAppUntouched(page);
    await page.close();
  });

  it('downloads HTML, SVG and unknown files from the raw URLs instead of opening them', async () => {
    const page = await context.newPage();
    const downloads: string[] = [];
    for (const url of [jobFileUrl('site/report.html'), jobFileUrl('site/logo.svg'), jobFileUrl('site/README'), refFileUrl('site/report.html'), refFileUrl('site/logo.svg')]) {
      await page.goto(`/${project.path_with_namespace}/-/jobs/${jobId}/artifacts/browse/site`);
      const [download] = await Promise.all([page.waitForEvent('download'), page.goto(url).catch(() => null)]);
      downloads.push(download.suggestedFilename());
      assert.match(page.url(), /\/artifacts\/browse\/site$/, `${url}: the app page stays, nothing was opened`);
      assert.equal(await page.title(), `Artifacts of pack (#${jobId}) · Conveyor`);
    }
    assert.deepEqual(downloads, ['report.html', 'logo.svg', 'README', 'report.html', 'logo.svg']);
    // The artifacts browser's own download links lead to the same kind of response.
    await page.goto(`/${project.path_with_namespace}/-/jobs/${jobId}/artifacts/browse/site`);
    const [viaLink] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Download report.html' }).click()]);
    assert.equal(viaLink.suggestedFilename(), 'report.html');
    await assertAppUntouched(page);
    await page.close();
  });

  it('opens a .txt holding HTML (raw by ref, shown inline) as plain text in a sandbox', async () => {
    const page = await context.newPage();
    const response = await page.goto(refFileUrl('site/notes.txt'));
    assert.equal(response?.headers()['content-type'], 'text/plain; charset=utf-8');
    assert.equal(await page.evaluate(() => document.contentType), 'text/plain');
    assert.equal(await page.evaluate(() => document.body.innerText), FILES['site/notes.txt']);
    assert.equal(await page.evaluate(() => self.origin), 'null', 'a sandboxed document has an opaque origin');
    await assertAppUntouched(page);
    await page.close();
  });

  it('keeps scripts off even when a browser renders the file in place (CSP sandbox without Content-Disposition)', async () => {
    const page = await context.newPage();
    // What an old or misconfigured browser, or a proxy that strips the header, would do with the response.
    await page.route('**/api/v4/projects/*/jobs/**', async (route) => {
      const response = await route.fetch();
      const headers = { ...response.headers() };
      delete headers['content-disposition'];
      await route.fulfill({ response, headers });
    });
    for (const [url, type, title] of [
      [jobFileUrl('site/report.html'), 'text/html', 'report'],
      [refFileUrl('site/report.html'), 'text/html', 'report'],
      [jobFileUrl('site/logo.svg'), 'image/svg+xml', 'logo'],
      [refFileUrl('site/logo.svg'), 'image/svg+xml', 'logo'],
    ] as const) {
      const response = await page.goto(url);
      assert.match(response?.headers()['content-security-policy'] ?? '', /\bsandbox\b/);
      assert.equal(await page.evaluate(() => document.contentType), type, `${url} rendered as ${type}`);
      assert.equal(await page.evaluate(() => self.origin), 'null', `${url}: opaque origin, not the app's`);
      assert.equal(await page.evaluate(() => document.title), title, `${url}: its script did not run`);
    }
    await page.unroute('**/api/v4/projects/*/jobs/**');
    await assertAppUntouched(page);
    await page.close();
  });
});
