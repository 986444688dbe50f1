import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, it } from 'node:test';
import Fastify from 'fastify';
import { loadConfig } from '../../src/config.js';
import { parseByteRange, sendWithRange } from '../../src/http/range.js';
import { FixedWindowLimiter, rateLimitHeaders } from '../../src/http/rate-limit.js';

describe('Range: bytes=', () => {
  it('reads single byte ranges against the size (RFC 9110)', () => {
    assert.equal(parseByteRange(undefined, 10), null);
    assert.deepEqual(parseByteRange('bytes=0-', 10), { start: 0, end: 9 });
    assert.deepEqual(parseByteRange('bytes=5-', 10), { start: 5, end: 9 });
    assert.deepEqual(parseByteRange('bytes=2-4', 10), { start: 2, end: 4 });
    assert.deepEqual(parseByteRange('bytes=2-400', 10), { start: 2, end: 9 }, 'the end is clamped');
    assert.deepEqual(parseByteRange('bytes=-3', 10), { start: 7, end: 9 }, 'suffix');
    assert.deepEqual(parseByteRange('bytes=-30', 10), { start: 0, end: 9 });
    assert.deepEqual(parseByteRange('BYTES = 1 - 2', 10), { start: 1, end: 2 });
    assert.equal(parseByteRange('bytes=10-', 10), 'unsatisfiable');
    assert.equal(parseByteRange('bytes=5-', 0), 'unsatisfiable');
    assert.equal(parseByteRange('bytes=0-', 0), 'unsatisfiable');
    assert.equal(parseByteRange('bytes=-5', 0), 'unsatisfiable');
    assert.equal(parseByteRange('bytes=-0', 10), 'unsatisfiable');
    for (const ignored of ['bytes=4-2', 'bytes=-', 'items=0-1', 'bytes=0-1,3-4', 'bytes=a-', 'bytes=1e3-', 'bytes=99999999999999999999-']) {
      assert.equal(parseByteRange(ignored, 10), null, ignored);
    }
  });

  it('answers 206, 416 or 200 with Content-Range and Accept-Ranges', async () => {
    const app = Fastify();
    app.get('/log', (request, reply) => sendWithRange(request, reply.type('text/plain'), Buffer.from('hello world')));
    app.get('/empty', (request, reply) => sendWithRange(request, reply.type('text/plain'), Buffer.alloc(0)));
    const get = (url: string, headers: Record<string, string> = {}) => app.inject({ method: 'GET', url, headers });
    const partial = await get('/log', { range: 'bytes=6-' });
    assert.deepEqual([partial.statusCode, partial.body, partial.headers['content-range'], partial.headers['content-length']], [206, 'world', 'bytes 6-10/11', '5']);
    assert.equal(partial.headers['accept-ranges'], 'bytes');
    assert.equal((await get('/log', { range: 'bytes=0-4' })).body, 'hello');
    const past = await get('/log', { range: 'bytes=11-' });
    assert.deepEqual([past.statusCode, past.headers['content-range'], past.body], [416, 'bytes */11', '']);
    const whole = await get('/log');
    assert.deepEqual([whole.statusCode, whole.body, whole.headers['content-range']], [200, 'hello world', undefined]);
    const ifRange = await get('/log', { range: 'bytes=6-', 'if-range': '"some-etag"' });
    assert.deepEqual([ifRange.statusCode, ifRange.body], [200, 'hello world'], 'an If-Range we cannot match sends everything');
    const empty = await get('/empty', { range: 'bytes=5-' });
    assert.deepEqual([empty.statusCode, empty.headers['content-range']], [416, 'bytes */0']);
    assert.equal((await get('/empty')).statusCode, 200);
    await app.close();
  });
});

describe('jobs API rate limit', () => {
  it('counts per key in fixed windows that start with the first request', () => {
    let now = 1_000_000;
    const limiter = new FixedWindowLimiter(2, 60_000, () => now);
    assert.deepEqual(limiter.hit('a'), { allowed: true, limit: 2, remaining: 1, resetAt: 1_060_000 });
    now += 30_000;
    assert.equal(limiter.hit('a').remaining, 0);
    assert.equal(limiter.hit('a').allowed, false);
    assert.equal(limiter.hit('b').allowed, true, 'another user has a window of their own');
    now += 30_000;
    assert.deepEqual(limiter.hit('a'), { allowed: true, limit: 2, remaining: 1, resetAt: 1_120_000 });
    assert.deepEqual(rateLimitHeaders(limiter.hit('a')), { 'RateLimit-Limit': '2', 'RateLimit-Remaining': '0', 'RateLimit-Reset': '1120' });
    assert.equal(new FixedWindowLimiter(0, 60_000, () => now).enabled, false);
  });

  it('is 600 a minute by default, set by flag or CONVEYOR_JOBS_API_RATE_LIMIT, 0 = off', () => {
    assert.equal(loadConfig({}, {}).jobsApiRateLimit, 600);
    assert.equal(loadConfig({}, { CONVEYOR_JOBS_API_RATE_LIMIT: '0' }).jobsApiRateLimit, 0);
    assert.equal(loadConfig({ jobsApiRateLimit: '25' }, { CONVEYOR_JOBS_API_RATE_LIMIT: '0' }).jobsApiRateLimit, 25);
    for (const bad of ['-1', 'many', '1.5', '']) {
      assert.throws(() => loadConfig({ jobsApiRateLimit: bad }, {}), /--jobs-api-rate-limit must be a whole number/, bad);
    }
  });

  it('is a CLI flag', () => {
    const bin = path.resolve('bin/conveyor.cjs');
    const help = spawnSync(process.execPath, [bin, 'serve', '--help'], { encoding: 'utf8' });
    assert.match(help.stdout, /--jobs-api-rate-limit <n>/);
    const bad = spawnSync(process.execPath, [bin, 'serve', '--jobs-api-rate-limit', 'lots', '--port', '0'], { encoding: 'utf8', env: { ...process.env, CONVEYOR_DATA: '/nonexistent-unused' } });
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /conveyor: --jobs-api-rate-limit must be a whole number of requests per minute \(0 = off\), got "lots"/);
  });
});
