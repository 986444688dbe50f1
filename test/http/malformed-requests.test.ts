/**
 * "Bad input never yields a 500": a few hundred malformed requests (random paths, bodies, headers,
 * encodings), sent over raw HTTP/1.1 with node's `http` module (and `net` for bytes `http` refuses
 * to send), must all answer < 500, with every JSON error body carrying `message` or `error`.
 *
 * The requests come from a seeded PRNG (mulberry32): a failure names the seed and the request, and
 * `CONVEYOR_FUZZ_SEED=<seed> node test/run.js malformed-requests` replays the same sequence.
 * `CONVEYOR_FUZZ_COUNT` changes how many random requests follow the fixed catalogue.
 *
 * The transport lives in `../helpers/raw-http.ts`; what gets sent, in `../helpers/malformed-catalogue.ts`
 * (values and the fixed catalogue, with its CI and git parts in `malformed-catalogue-ci.ts` and
 * `malformed-catalogue-git.ts`), `../helpers/malformed-routes.ts` (the routes aimed at) and
 * `../helpers/malformed-generator.ts` with `malformed-fields.ts` (the random requests). The ids and paths
 * they hit come from `../helpers/malformed-fixtures.ts`: groups, projects, tokens, and a project with
 * pushed commits, pipelines, CI/CD variables and protected branches.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { DIALECTS } from '../helpers/databases.js';
import { catalogue, Rng } from '../helpers/malformed-catalogue.js';
import { createFixtures } from '../helpers/malformed-fixtures.js';
import { Generator } from '../helpers/malformed-generator.js';
import type { Fixtures } from '../helpers/malformed-routes.js';
import { clip, describeRequest, send, sendHttp, type FuzzRequest, type FuzzResponse } from '../helpers/raw-http.js';
import { ROOT_TOKEN, startTestServer, type TestServer } from '../helpers/server.js';

const SEED = (Number.parseInt(process.env.CONVEYOR_FUZZ_SEED ?? '', 10) || 0x5eed2024) >>> 0;
const RANDOM_REQUESTS = Number.parseInt(process.env.CONVEYOR_FUZZ_COUNT ?? '', 10) || 600;
/** When set, every request and its outcome are appended to this file (one line each). */
const LOG_FILE = process.env.CONVEYOR_FUZZ_LOG;

/** Problems with one response, or [] when it is acceptable. */
function checkResponse(req: FuzzRequest, res: FuzzResponse): string[] {
  const problems: string[] = [];
  if (!(res.status >= 100 && res.status < 500)) problems.push(`status ${res.status}`);
  const isHead = req.kind === 'http' && req.method === 'HEAD';
  const type = res.headers['content-type'] ?? '';
  if (!isHead && /^application\/json/i.test(type) && res.body !== '') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(res.body);
    } catch {
      problems.push('JSON body does not parse');
      return problems;
    }
    if (res.status >= 400) {
      const ok = parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) && ('message' in parsed || 'error' in parsed);
      if (!ok) problems.push('JSON error body has neither `message` nor `error`');
    }
  }
  return problems;
}

/** A probe that never throws: the status, or 0 when nothing answered. */
function getStatus(port: number, path: string, token?: string): Promise<number> {
  const headers: Array<[string, string]> = [['Host', `127.0.0.1:${port}`], ['Connection', 'close']];
  if (token) headers.push(['PRIVATE-TOKEN', token]);
  return sendHttp(port, { kind: 'http', label: 'probe', method: 'GET', path, headers }).then((o) => (o.kind === 'response' ? o.response.status : 0));
}

for (const dialect of DIALECTS) {
  describe(`malformed requests never yield a 500 (${dialect})`, () => {
    let t: TestServer;
    let port: number;
    let fx: Fixtures;

    before(async () => {
      t = await startTestServer(dialect);
      port = Number(new URL(t.url).port);
      fx = await createFixtures(t);
    });
    after(() => t.close());

    it(`answers a few hundred malformed requests with < 500 (seed ${SEED})`, async (ctx) => {
      const host = `127.0.0.1:${port}`;
      const generator = new Generator(new Rng(SEED), fx, host);
      const requests = [...catalogue(fx, host)];
      for (let i = 0; i < RANDOM_REQUESTS; i++) requests.push(generator.next());

      const failures: string[] = [];
      const noResponse: string[] = [];
      const notes: string[] = [];
      const statuses = new Map<number, number>();
      /** The slowest answers, to tell a slow route from a hang (which the transport's timeout turns into "no response"). */
      const slowest: Array<{ ms: number; line: string }> = [];
      let crashed: string | null = null;
      for (const [index, req] of requests.entries()) {
        const started = performance.now();
        const outcome = await send(port, req);
        const ms = Math.round(performance.now() - started);
        slowest.push({ ms, line: `#${index} ${ms} ms: ${clip(describeRequest(req), 300)}` });
        slowest.sort((a, b) => b.ms - a.ms).splice(5);
        if (outcome.kind === 'no-response') {
          if (LOG_FILE) fs.appendFileSync(LOG_FILE, `${dialect} #${index} NO RESPONSE ${outcome.reason} (${ms} ms) <= ${describeRequest(req)}\n`);
          // A connection dropped without a reply: report it, and fail only if the server died.
          const alive = (await getStatus(port, '/-/liveness')) === 200;
          noResponse.push(`#${index} ${describeRequest(req)} → ${outcome.reason}${alive ? '' : ' — SERVER NO LONGER ANSWERS'}`);
          if (!alive) {
            crashed = `#${index} ${describeRequest(req)}`;
            break;
          }
          continue;
        }
        const res = outcome.response;
        if (outcome.note) notes.push(`#${index} ${res.status} — ${outcome.note}: ${describeRequest(req)}`);
        if (LOG_FILE) fs.appendFileSync(LOG_FILE, `${dialect} #${index} ${res.status} (${ms} ms) ${clip(JSON.stringify(res.body), 200)} <= ${describeRequest(req)}\n`);
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        const problems = checkResponse(req, res);
        if (problems.length > 0) {
          failures.push(
            `#${index} ${problems.join('; ')}\n    request: ${describeRequest(req)}\n    response: ${res.status} ${res.headers['content-type'] ?? '(no content-type)'} ${clip(JSON.stringify(res.body), 600)}`,
          );
        }
      }

      const summary = [...statuses.entries()].sort(([a], [b]) => a - b).map(([s, n]) => `${s}×${n}`).join(' ');
      ctx.diagnostic(`${dialect}: seed ${SEED}, ${requests.length} requests; statuses ${summary}; ${failures.length} bad answers; ${noResponse.length} without a response`);
      for (const line of noResponse) ctx.diagnostic(`no response: ${line}`);
      for (const line of notes) ctx.diagnostic(`note: ${line}`);
      for (const { line } of slowest) ctx.diagnostic(`slowest: ${line}`);

      assert.equal(crashed, null, `seed ${SEED} (${dialect}): the server stopped answering after request ${crashed}`);
      assert.equal((await getStatus(port, '/-/readiness')), 200, `seed ${SEED} (${dialect}): /-/readiness no longer answers 200`);
      assert.equal((await getStatus(port, '/api/v4/user', ROOT_TOKEN)), 200, `seed ${SEED} (${dialect}): the root token stopped working (test bug)`);
      assert.ok(requests.length >= 400, `only ${requests.length} requests`);
      assert.ok(
        failures.length === 0,
        `seed ${SEED} (${dialect}): ${failures.length} of ${requests.length} malformed requests got a bad answer ` +
          `(replay with CONVEYOR_FUZZ_SEED=${SEED}):\n${failures.slice(0, 60).join('\n')}` +
          (failures.length > 60 ? `\n… and ${failures.length - 60} more` : ''),
      );
    });
  });
}
