import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ApiClient } from '../../src/runner/api-client.js';
import { crc32 } from '../../src/runner/crc32.js';
import { Masker } from '../../src/runner/masker.js';
import { rangeEnd, TraceSender, type RemoteVerdict } from '../../src/runner/trace-sender.js';
import { TraceLog } from '../../src/runner/trace-log.js';
import { silentLogger } from '../../src/runner/logger.js';
import { FakeGitLab, jobPayload, type FakeJob } from './fake-gitlab.js';

describe('runner: trace sender against exact protocol answers', () => {
  let gitlab: FakeGitLab;
  let api: ApiClient;

  before(async () => {
    gitlab = await FakeGitLab.start();
    api = new ApiClient(`${gitlab.url}/api/v4/`);
  });
  after(() => gitlab.close());

  function runningJob(): FakeJob {
    const job = gitlab.addJob(jobPayload({ script: [] }));
    gitlab.queue.pop();
    job.status = 'running';
    return job;
  }

  function sender(job: FakeJob, log: TraceLog, verdicts: RemoteVerdict[] = [], interval = 100) {
    return new TraceSender(api, { id: job.payload.id, token: job.payload.token }, log, {
      interval,
      cancelCheckInterval: 100,
      logger: silentLogger,
      onVerdict: (v) => verdicts.push(v),
    });
  }

  const patches = (job: FakeJob) => gitlab.requests.filter((r) => r.method === 'PATCH' && r.path === `/api/v4/jobs/${job.payload.id}/trace`);

  it('reads N from "Range: 0-N"', () => {
    assert.equal(rangeEnd('0-15'), 15);
    assert.equal(rangeEnd('bytes 0-7'), 7);
    assert.equal(rangeEnd('5-7'), undefined);
    assert.equal(rangeEnd(null), undefined);
  });

  it('sends inclusive Content-Ranges, at most 1 MiB each, and a final PUT with the CRC of all bytes', async () => {
    const job = runningJob();
    const log = new TraceLog(new Masker([]), 8 * 1024 * 1024);
    const big = 'x'.repeat(1024 * 1024 + 10);
    log.write('0123456789');
    const s = sender(job, log);
    await s.patch();
    log.write(big);
    await s.finish({ state: 'success' });
    const ranges = patches(job).map((r) => r.headers['content-range']);
    assert.deepEqual(ranges, ['0-9', `10-${10 + 1024 * 1024 - 1}`, `${10 + 1024 * 1024}-${10 + 1024 * 1024 + 9}`]);
    assert.ok(patches(job).every((r) => r.headers['content-type'] === 'text/plain' && r.headers['job-token'] === job.payload.token));
    assert.equal(job.trace.toString(), `0123456789${big}`);
    assert.deepEqual(job.final, {
      token: job.payload.token,
      state: 'success',
      output: { checksum: `crc32:${crc32(job.trace).toString(16).padStart(8, '0')}`, bytesize: job.trace.length },
    });
  });

  it('on 416 resumes from the length the server reports', async () => {
    const job = runningJob();
    job.trace = Buffer.from('hello'); // the server already has the first 5 bytes (an earlier answer was lost)
    const log = new TraceLog(new Masker([]));
    log.write('hello world\n');
    const s = sender(job, log);
    assert.equal(await s.patch(), 'rewound');
    assert.equal(s.sentBytes, 5);
    assert.equal(await s.patch(), 'sent');
    assert.deepEqual(patches(job).map((r) => r.headers['content-range']), ['0-11', '5-11']);
    assert.equal(job.trace.toString(), 'hello world\n');
  });

  it('takes the update interval from X-GitLab-Trace-Update-Interval', async () => {
    const job = runningJob();
    gitlab.traceInterval = 7;
    try {
      const log = new TraceLog(new Masker([]));
      log.write('x');
      const s = sender(job, log);
      await s.patch();
      assert.equal(s.updateInterval, 7000);
    } finally {
      gitlab.traceInterval = undefined;
    }
  });

  it('reports canceling and 403 verdicts from keep-alives, and stops on 403 at the end', async () => {
    const job = runningJob();
    const log = new TraceLog(new Masker([]));
    const verdicts: RemoteVerdict[] = [];
    const s = sender(job, log, verdicts, 60_000);
    s.start();
    job.status = 'canceling';
    await gitlab.waitFor(() => verdicts.includes('canceling'), 'a canceling verdict');
    job.status = 'canceled';
    await gitlab.waitFor(() => verdicts.includes('abort'), 'an abort verdict');
    const keepAlive = gitlab.requests.find((r) => r.method === 'PUT' && r.path === `/api/v4/jobs/${job.payload.id}`)!;
    assert.deepEqual(keepAlive.json.output, { checksum: 'crc32:00000000', bytesize: 0 });
    log.write('late output');
    await s.finish({ state: 'failed', failureReason: 'unknown_failure' });
    assert.equal(job.final, undefined, 'a 403 ends the final update without retrying');
  });

  it('repeats the final update after 202 until the server says 200, retrying errors', async () => {
    const job = runningJob();
    let answers = ['202', '500', '200'];
    gitlab.overrides.push((req, res) => {
      if (req.method !== 'PUT' || req.path !== `/api/v4/jobs/${job.payload.id}` || answers.length === 0) return false;
      const status = Number(answers.shift());
      res.writeHead(status, { 'Content-Type': 'application/json', 'X-GitLab-Trace-Update-Interval': '1' });
      res.end(String(status));
      return true;
    });
    const log = new TraceLog(new Masker([]));
    log.write('done\n');
    await sender(job, log).finish({ state: 'failed', failureReason: 'script_failure', exitCode: 2 });
    const puts = gitlab.requests.filter((r) => r.method === 'PUT' && r.path === `/api/v4/jobs/${job.payload.id}`);
    assert.equal(puts.length, 3);
    assert.equal(puts[0].json.exit_code, 2);
    assert.equal(puts[0].json.failure_reason, 'script_failure');
    assert.equal(job.trace.toString(), 'done\n');
    answers = [];
  });
});
