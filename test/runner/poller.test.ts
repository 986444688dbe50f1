import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ApiClient } from '../../src/runner/api-client.js';
import { Backoff, serverDelay } from '../../src/runner/backoff.js';
import { apiBaseUrl, resolveOptions } from '../../src/runner/options.js';
import { JobRequester, pollLoop } from '../../src/runner/poller.js';
import { FakeGitLab, jobPayload } from './fake-gitlab.js';

describe('runner: asking for jobs', () => {
  let gitlab: FakeGitLab;

  before(async () => {
    gitlab = await FakeGitLab.start();
  });
  after(() => gitlab.close());

  it('builds the API URL like gitlab-runner', () => {
    assert.equal(apiBaseUrl('http://h:8080'), 'http://h:8080/api/v4/');
    assert.equal(apiBaseUrl('http://h:8080/'), 'http://h:8080/api/v4/');
    assert.equal(apiBaseUrl('http://h/gitlab/ci/'), 'http://h/gitlab/api/v4/');
  });

  it('backs off from 100 ms doubling to 60 s, and honours Retry-After and RateLimit-ResetTime', () => {
    const backoff = new Backoff(100, 60_000, () => 1);
    const delays = Array.from({ length: 12 }, () => backoff.next());
    assert.deepEqual(delays.slice(0, 4), [100, 200, 400, 800]);
    assert.equal(delays[11], 60_000);
    assert.equal(serverDelay(new Headers({ 'Retry-After': '7' })), 7000);
    const now = Date.parse('2026-01-01T00:00:00Z');
    assert.equal(serverDelay(new Headers({ 'RateLimit-ResetTime': 'Thu, 01 Jan 2026 00:00:03 GMT', 'Retry-After': '9' }), now), 3000);
    assert.equal(serverDelay(new Headers()), undefined);
  });

  it('sends back the last X-GitLab-Last-Update, and none when long polling is off', async () => {
    const options = resolveOptions({ url: gitlab.url, token: 'glrt-poll', buildsDir: '/tmp/x', systemId: 's_000000000001' });
    const requester = new JobRequester(new ApiClient(options.baseUrl), options);
    gitlab.lastUpdate = 'version-a';
    assert.deepEqual(await requester.request(new AbortController().signal), { kind: 'none' });
    await requester.request(new AbortController().signal);
    const [first, second] = gitlab.requests.filter((r) => r.path === '/api/v4/jobs/request').slice(-2);
    assert.equal(first.json.last_update, undefined);
    assert.equal(second.json.last_update, 'version-a');
    assert.equal(second.json.system_id, 's_000000000001');
    assert.equal(second.headers['content-type'], 'application/json');
    assert.match(String(second.headers['user-agent']), /^conveyor-runner /);
    assert.match(String(second.headers['x-request-id']), /^[0-9a-f]{32}$/);

    const noPoll = resolveOptions({ url: gitlab.url, token: 'glrt-poll', buildsDir: '/tmp/x', longPoll: false });
    const plain = new JobRequester(new ApiClient(noPoll.baseUrl), noPoll);
    await plain.request(new AbortController().signal);
    await plain.request(new AbortController().signal);
    assert.equal(gitlab.requests.at(-1)!.json.last_update, undefined);
  });

  it('retries after 503 with Retry-After, 403 and broken payloads, then runs the job it gets', async () => {
    const answers: Array<[number, Record<string, string>, string]> = [
      [503, { 'Retry-After': '0' }, ''],
      [403, {}, ''],
      [201, { 'Content-Type': 'application/json' }, '{"id":"not a number","token":"t"}'],
    ];
    gitlab.overrides.push((req, res) => {
      if (req.path !== '/api/v4/jobs/request' || answers.length === 0) return false;
      const [status, headers, body] = answers.shift()!;
      res.writeHead(status, headers);
      res.end(body);
      return true;
    });
    const payload = jobPayload({ script: [] });
    gitlab.addJob(payload);
    const options = resolveOptions({ url: gitlab.url, token: 'glrt-poll', buildsDir: '/tmp/x', checkInterval: 20 });
    const stop = new AbortController();
    const ran: number[] = [];
    const started = Date.now();
    await pollLoop(new ApiClient(options.baseUrl), options, stop.signal, {
      runJob: async (job) => {
        ran.push(job.id);
        stop.abort();
      },
    });
    assert.deepEqual(ran, [payload.id]);
    assert.ok(Date.now() - started < 3000, 'backoff starts small');
  });
});
