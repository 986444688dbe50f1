/**
 * Page weight and long logs (issue #8): the job page's JavaScript as the browser receives it (gzipped,
 * from the Vite build), and a 50,000-line log rendered in chunks. Sizes are asserted; times are machine-
 * dependent, so they are reported as diagnostics, and only the rendering's structure is asserted.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext } from 'playwright-core';
import { launchChromium, NO_BROWSER, signedInContext } from '../helpers/browser.js';
import { createProject, unique } from '../helpers/fixtures.js';
import { pushPipeline } from '../helpers/pipelines.js';
import { createRunner, patchTrace, requestJob, updateJob } from '../helpers/runners.js';
import { ROOT_PASSWORD, startTestServer, type TestServer } from '../helpers/server.js';

const ESC = '\u001b';
const LINES = 50_000;
const JS_BUDGET_GZIPPED = 150 * 1024;

/** 50,000 coloured lines in five sections, like a long build's output. */
function longLog(): string {
  const out: string[] = [];
  for (let i = 1; i <= LINES; i++) {
    if (i % 10_000 === 1) out.push(`section_start:${1_700_000_000 + i}:part_${i}\r${ESC}[0K${ESC}[36;1mPart starting at ${i}${ESC}[0;m`);
    else if (i % 10_000 === 0) out.push(`section_end:${1_700_000_000 + i + 7}:part_${i - 9_999}\r${ESC}[0Kdone ${i}`);
    else out.push(`${ESC}[32m[ok]${ESC}[0m step ${i} compiled ${ESC}[1msrc/module-${i % 97}.ts${ESC}[0m in ${i % 13} ms`);
  }
  return `${out.join('\n')}\n`;
}

/** One GET as a browser sends it, with the body's bytes exactly as they travel (no decompression). */
function rawGet(url: string): Promise<{ status: number; headers: http.IncomingHttpHeaders; bytes: number }> {
  return new Promise((resolve, reject) => {
    http.get(url, { headers: { 'accept-encoding': 'gzip, deflate, br' } }, (res) => {
      let bytes = 0;
      res.on('data', (chunk: Buffer) => { bytes += chunk.length; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, bytes }));
    }).on('error', reject);
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
const percentile = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))] ?? 0;
const ms = (n: number) => `${Math.round(n)} ms`;

describe('job page weight and a 50,000-line log (Chromium)', { skip: NO_BROWSER }, () => {
  let t: TestServer;
  let browser: Browser;
  let context: BrowserContext;
  let jobUrl: string;

  before(async () => {
    t = await startTestServer('sqlite');
    browser = await launchChromium();
    const project = await createProject(t, { name: unique('long'), visibility: 'private' });
    await pushPipeline(t, project, { '.gitlab-ci.yml': 'build:\n  script: make\n' });
    const runner = await createRunner(t);
    const picked = await requestJob(t, runner.token);
    assert.equal(picked.status, 201, picked.text);
    const { id, token } = picked.body;
    const log = Buffer.from(longLog());
    // The runner's patches: 256 KiB each, split anywhere.
    for (let offset = 0; offset < log.length; offset += 256 * 1024) {
      const response = await patchTrace(t, id, token, offset, log.subarray(offset, offset + 256 * 1024));
      assert.equal(response.status, 202);
    }
    assert.equal((await updateJob(t, id, token, { state: 'success' })).status, 200);
    jobUrl = `/${project.path_with_namespace}/-/jobs/${id}`;
    context = await signedInContext(browser, t.url, 'root', ROOT_PASSWORD);
  });

  after(async () => {
    await browser?.close();
    await t?.close();
  });

  it('loads under 150 KB of gzipped JavaScript from hashed, immutable URLs', async (tc) => {
    const page = await context.newPage();
    const scripts: string[] = [];
    page.on('response', (response) => {
      if (response.request().resourceType() === 'script') scripts.push(response.url());
    });
    await page.goto(jobUrl);
    await page.locator('#L1').waitFor();
    await page.close();
    assert.ok(scripts.some((url) => /\/-\/assets\/job-log-[\w-]{8,}\.js$/.test(url)), `the job log script is a hashed build output: ${scripts.join(', ')}`);
    let gzipped = 0;
    for (const url of scripts) {
      const response = await rawGet(url);
      assert.equal(response.status, 200, url);
      assert.equal(response.headers['cache-control'], 'public, max-age=31536000, immutable', url);
      assert.equal(response.headers['content-type'], 'text/javascript; charset=utf-8', url);
      assert.equal(response.headers['x-content-type-options'], 'nosniff', url);
      gzipped += response.bytes;
    }
    const plain = await Promise.all(scripts.map(async (url) => (await (await fetch(url)).arrayBuffer()).byteLength));
    tc.diagnostic(`job page JavaScript: ${scripts.length} files, ${(plain.reduce((a, b) => a + b, 0) / 1024).toFixed(1)} KiB minified, ${(gzipped / 1024).toFixed(1)} KiB gzipped`);
    assert.ok(gzipped < JS_BUDGET_GZIPPED, `${gzipped} bytes gzipped`);
    assert.equal((await rawGet(`${t.url}/-/assets/job-log-00000000.js`)).status, 404);
  });

  it('renders 50,000 lines in chunks and scrolls them (times reported, not asserted)', async (tc) => {
    const page = await context.newPage();
    // Installed before the page's scripts: long tasks, and the frame in which the first and last lines appear.
    await page.addInitScript((last: number) => {
      const perf = { longTasks: [] as number[], first: 0, all: 0 };
      (window as unknown as { __perf: typeof perf }).__perf = perf;
      new PerformanceObserver((list) => {
        for (const entry of list.getEntries()) perf.longTasks.push(entry.duration);
      }).observe({ type: 'longtask', buffered: true });
      const watch = () => {
        if (!perf.first && document.getElementById('L1')) perf.first = performance.now();
        if (document.getElementById(`L${last}`)) perf.all = performance.now();
        else requestAnimationFrame(watch);
      };
      requestAnimationFrame(watch);
    }, LINES);
    await page.goto(jobUrl);
    await page.waitForFunction(() => (window as unknown as { __perf: { all: number } }).__perf.all > 0, null, { timeout: 120_000, polling: 250 });
    const perf = await page.evaluate(() => (window as unknown as { __perf: { longTasks: number[]; first: number; all: number } }).__perf);

    // Chunked: lines sit in blocks the browser lays out only when on screen.
    const structure = await page.evaluate(() => ({
      lines: document.querySelectorAll('#log-lines .line').length,
      blocks: document.querySelectorAll('#log-lines .log-block').length,
      skipped: getComputedStyle(document.querySelector('#log-lines .log-block')!).contentVisibility,
      sections: document.querySelectorAll('#log-lines .section').length,
      last: document.getElementById('L50000')?.textContent,
    }));
    assert.equal(structure.lines, LINES);
    assert.equal(structure.sections, 5);
    assert.equal(structure.skipped, 'auto');
    assert.ok(structure.blocks >= LINES / 200, `${structure.blocks} blocks`);
    assert.equal(structure.last, '50000done 50000');

    // Scrolling: jumps of 1/120 of the log (as a scrollbar drag does), then a steady scroll of 300 px a frame.
    const scroll = await page.evaluate(async () => {
      const log = document.getElementById('log')!;
      const frame = () => new Promise<number>((resolve) => requestAnimationFrame(resolve));
      const jumps: number[] = [];
      for (let i = 1; i <= 120; i++) {
        const start = performance.now();
        log.scrollTop = ((log.scrollHeight - log.clientHeight) * i) / 120;
        await frame();
        await frame();
        jumps.push(performance.now() - start);
      }
      log.scrollTop = 0;
      await frame();
      const frames: number[] = [];
      let previous = await frame();
      for (let i = 0; i < 120; i++) {
        log.scrollTop += 300;
        const now = await frame();
        frames.push(now - previous);
        previous = now;
      }
      return { jumps, frames, scrolledTo: log.scrollTop };
    });
    assert.ok(scroll.scrolledTo > 0);

    await page.close();

    // A link to a line deep in the log opens at that line.
    const linked = await context.newPage();
    await linked.goto(`${jobUrl}#L42000`);
    await linked.locator('#L42000.highlight').waitFor({ timeout: 120_000 });
    assert.ok(await linked.locator('#L42000').isVisible());
    await linked.close();

    const tasks = perf.longTasks;
    tc.diagnostic(`50,000 lines: first line at ${ms(perf.first)}, all lines at ${ms(perf.all)} after navigation start`);
    tc.diagnostic(`rendering: ${tasks.length} long tasks, longest ${ms(Math.max(0, ...tasks))}, ${ms(tasks.reduce((a, b) => a + b, 0))} in total; ${structure.blocks} blocks of 200 lines`);
    tc.diagnostic(`scroll jumps of 1/120: median ${ms(median(scroll.jumps))}, p95 ${ms(percentile(scroll.jumps, 0.95))} to the second frame`);
    tc.diagnostic(`steady scroll of 300 px/frame: median frame ${ms(median(scroll.frames))}, p95 ${ms(percentile(scroll.frames, 0.95))}`);
  });
});
