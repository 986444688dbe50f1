/** Runner protocol §8 cases 26–28 (artifact upload and download) and the upload's safety checks, on both dialects. */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import type { ServiceContext } from '../../src/services/context.js';
import type { Pipeline } from '../../src/store/pipelines-repository.js';
import { bytesOf, makeZip, startWithToken, uploadArtifact } from '../helpers/artifacts.js';
import { DIALECTS } from '../helpers/databases.js';
import { createProject } from '../helpers/fixtures.js';
import { jobNamed, pushPipeline } from '../helpers/pipelines.js';
import { ROOT_TOKEN, startTestServer, type TestServer } from '../helpers/server.js';

const CONFIG = `
stages: [build, test]
${Array.from({ length: 16 }, (_, i) => `b${i}:\n  stage: build\n  script: make\n  artifacts:\n    paths: [dist/]\n`).join('')}
consumer:
  stage: test
  needs: []
  script: make test
`;

const ZIP = makeZip([{ name: 'dist/', data: '', mode: 0o40755 }, { name: 'dist/app.js', data: 'console.log(1)\n'.repeat(100) }]);

for (const dialect of DIALECTS) {
  describe(`runner artifacts (${dialect})`, () => {
    let t: TestServer;
    let ctx: ServiceContext;
    let pipeline: Pipeline;
    let next = 0;
    /** A fresh running build job of the pipeline with its token. */
    const runningJob = async () => startWithToken(ctx, await jobNamed(ctx, pipeline.id, `b${next++}`));
    const rows = async (jobId: number) => ctx.store.jobArtifacts.listByJob(jobId);
    const storedFiles = (jobId: number) => {
      const dir = path.join(t.dataDir, 'blobs', 'artifacts', String(jobId));
      return fs.existsSync(dir) ? fs.readdirSync(dir) : [];
    };

    before(async () => {
      t = await startTestServer(dialect);
      ctx = t.server.app.ctx;
      const project = await createProject(t, { visibility: 'private' });
      pipeline = await pushPipeline(t, project, { '.gitlab-ci.yml': CONFIG });
    });
    after(() => t.close());

    it('case 26: a chunked multipart upload → 201 "201"; sha256, size and an expiry a week out; never → no expiry', async () => {
      const { job, token } = await runningJob();
      const res = await uploadArtifact(t, job.id, token, ZIP, { artifact_format: 'zip', artifact_type: 'archive', expire_in: '1 week' });
      assert.equal(res.status, 201, res.text);
      assert.equal(res.text, '201');
      const [row] = await rows(job.id);
      assert.equal(row.fileType, 'archive');
      assert.equal(row.fileFormat, 'zip');
      assert.equal(row.filename, 'artifacts.zip');
      assert.equal(row.size, ZIP.length);
      assert.match(row.sha256 ?? '', /^[0-9a-f]{64}$/);
      assert.ok(Math.abs(Date.parse(row.expireAt!) - (Date.now() + 7 * 86_400_000)) < 60_000);
      const other = await runningJob();
      assert.equal((await uploadArtifact(t, other.job.id, other.token, ZIP, { expire_in: 'NEVER' })).status, 201);
      assert.equal((await rows(other.job.id))[0].expireAt, null);
      const third = await runningJob();
      assert.equal((await uploadArtifact(t, third.job.id, third.token, ZIP)).status, 201);
      assert.ok(Math.abs(Date.parse((await rows(third.job.id))[0].expireAt!) - (Date.now() + 30 * 86_400_000)) < 60_000, 'the 30-day default');
      assert.equal((await uploadArtifact(t, third.job.id, third.token, ZIP, { expire_in: '3 days 4 hrs' })).status, 201, 'the same file again is accepted');
    });

    it('case 26: reports: junit as gzip, other types as raw; the same type twice with other bytes → 400', async () => {
      const { job, token } = await runningJob();
      const junit = zlib.gzipSync('<testsuites/>');
      assert.equal((await uploadArtifact(t, job.id, token, junit, { artifact_type: 'junit', artifact_format: 'gzip' }, { filename: 'junit.xml.gz' })).status, 201);
      assert.equal((await uploadArtifact(t, job.id, token, Buffer.from('{}'), { artifact_type: 'codequality', artifact_format: 'raw' }, { filename: 'gl-code-quality-report.json' })).status, 201);
      const again = await uploadArtifact(t, job.id, token, zlib.gzipSync('<other/>'), { artifact_type: 'junit', artifact_format: 'gzip' });
      assert.equal(again.status, 400);
      assert.deepEqual(JSON.parse(again.text), { message: 'another artifact of the same type already exists' });
      const shown = (await rows(job.id)).map((r) => [r.fileType, r.fileFormat, r.filename]);
      assert.deepEqual(shown, [['junit', 'gzip', 'junit.xml.gz'], ['codequality', 'raw', 'gl-code-quality-report.json']]);
    });

    it('case 27: bad token → 403; junit as zip → 400; unknown type → 400; a bad expire_in → 400', async () => {
      const { job, token } = await runningJob();
      assert.equal((await uploadArtifact(t, job.id, 'glcbt-wrong', ZIP)).status, 403);
      assert.equal((await uploadArtifact(t, job.id, null, ZIP)).status, 403);
      const wrongFormat = await uploadArtifact(t, job.id, token, ZIP, { artifact_type: 'junit', artifact_format: 'zip' });
      assert.equal(wrongFormat.status, 400);
      assert.deepEqual(JSON.parse(wrongFormat.text), { message: 'Validation failed: Invalid file format with specified file type' });
      assert.deepEqual(JSON.parse((await uploadArtifact(t, job.id, token, ZIP, { artifact_type: 'bogus' })).text), { error: 'artifact_type does not have a valid value' });
      assert.equal((await uploadArtifact(t, job.id, token, ZIP, { expire_in: 'soonish' })).status, 400);
      assert.equal((await uploadArtifact(t, 999_999, token, ZIP)).status, 404);
      assert.deepEqual(await rows(job.id), []);
    });

    it('case 27: an upload over the size limit → 413 and nothing is left on disk', async () => {
      const { job, token } = await runningJob();
      await ctx.store.applicationSettings.set('max_artifacts_size', '1');
      try {
        const big = makeZip([{ name: 'big.bin', data: Buffer.from(Buffer.alloc(1_200_000, 7).map((_, i) => (i * 2654435761) >>> 24)), deflate: false }]);
        const res = await uploadArtifact(t, job.id, token, big);
        assert.equal(res.status, 413, res.text);
        assert.deepEqual(JSON.parse(res.text), { message: 'file size has reached maximum size limit' });
      } finally {
        await ctx.store.applicationSettings.set('max_artifacts_size', '100');
      }
      assert.deepEqual(await rows(job.id), []);
      assert.deepEqual(storedFiles(job.id), []);
    });

    it('security: zip slip, absolute paths, backslashes, NUL, escaping links, overlapping entries and zip bombs are refused and not stored', async () => {
      const { job, token } = await runningJob();
      const hostile: Array<[string, Buffer]> = [
        ['zip slip', makeZip([{ name: '../../evil.sh', data: 'x' }])],
        ['nested zip slip', makeZip([{ name: 'dist/../../evil.sh', data: 'x' }])],
        ['absolute path', makeZip([{ name: '/etc/cron.d/evil', data: 'x' }])],
        ['windows absolute', makeZip([{ name: 'C:\\evil.bat', data: 'x' }])],
        ['backslash traversal', makeZip([{ name: 'dist\\..\\..\\evil', data: 'x' }])],
        ['NUL byte', makeZip([{ name: Buffer.from('dist/a\u0000.txt'), data: 'x' }])],
        ['symlink out', makeZip([{ name: 'dist/link', data: '../../../etc/passwd', mode: 0o120777, deflate: false }])],
        ['absolute symlink', makeZip([{ name: 'link', data: '/etc/passwd', mode: 0o120777, deflate: false }])],
        ['zip bomb', makeZip([{ name: 'zeros', data: Buffer.alloc(80 * 1024 * 1024) }])],
        ['lying sizes', makeZip([{ name: 'a', data: Buffer.alloc(70 * 1024 * 1024), claimedSize: 70 * 1024 * 1024 }, { name: 'b', data: 'x' }])],
        ['not a zip', Buffer.from('definitely not a zip archive')],
      ];
      for (const [what, body] of hostile) {
        const res = await uploadArtifact(t, job.id, token, body);
        assert.equal(res.status, 400, `${what}: ${res.text}`);
      }
      assert.deepEqual(await rows(job.id), []);
      assert.deepEqual(storedFiles(job.id), []);
      // A link that stays inside the archive is fine.
      const fine = makeZip([{ name: 'dist/app.js', data: 'x' }, { name: 'dist/current', data: 'app.js', mode: 0o120777, deflate: false }]);
      assert.equal((await uploadArtifact(t, job.id, token, fine)).status, 201);
    });

    it('security: a client that disconnects mid-upload leaves no artifact and no file', async () => {
      const { job, token } = await runningJob();
      const controller = new AbortController();
      const boundary = '----cut';
      let sent = 0;
      const stream = new ReadableStream<Uint8Array>({
        async pull(c) {
          if (sent === 0) c.enqueue(new TextEncoder().encode(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.zip"\r\n\r\n`));
          else if (sent < 20) c.enqueue(new Uint8Array(64 * 1024));
          else {
            controller.abort();
            return;
          }
          sent++;
          await new Promise((r) => setTimeout(r, 5));
        },
      });
      await fetch(`${t.apiUrl}/jobs/${job.id}/artifacts`, {
        method: 'POST', headers: { 'JOB-TOKEN': token, 'Content-Type': `multipart/form-data; boundary=${boundary}` }, body: stream, duplex: 'half', signal: controller.signal,
      } as RequestInit).catch(() => undefined);
      await new Promise((r) => setTimeout(r, 300));
      assert.deepEqual(await rows(job.id), []);
      assert.deepEqual(storedFiles(job.id).filter((f) => !f.endsWith('.partial')), []);
      for (let i = 0; i < 50 && storedFiles(job.id).length > 0; i++) await new Promise((r) => setTimeout(r, 50));
      assert.deepEqual(storedFiles(job.id), [], 'the partial file is removed');
    });

    it('an archive of 20,000 entries is accepted and its last file served (the central directory is read without nesting a call per entry)', async () => {
      const { job, token } = await runningJob();
      const many = makeZip(Array.from({ length: 20_000 }, (_, i) => ({ name: `dist/f-${i}.txt`, data: `file ${i}\n`, deflate: false })));
      const res = await uploadArtifact(t, job.id, token, many);
      assert.equal(res.status, 201, res.text);
      const last = await fetch(`${t.apiUrl}/projects/${pipeline.projectId}/jobs/${job.id}/artifacts/dist/f-19999.txt`, { headers: { 'PRIVATE-TOKEN': ROOT_TOKEN } });
      assert.equal(last.status, 200);
      assert.equal(await last.text(), 'file 19999\n');
    });

    it('case 28: a running job of the project downloads the producer\'s archive byte for byte; no archive → 404; finished or unknown tokens → 403', async () => {
      const producer = await runningJob();
      assert.equal((await uploadArtifact(t, producer.job.id, producer.token, ZIP)).status, 201);
      const consumer = await startWithToken(ctx, await jobNamed(ctx, pipeline.id, 'consumer'));
      const download = await fetch(`${t.apiUrl}/jobs/${producer.job.id}/artifacts`, { headers: { 'JOB-TOKEN': consumer.token } });
      assert.equal(download.status, 200);
      assert.deepEqual(await bytesOf(download), ZIP);
      const none = await runningJob();
      assert.equal((await fetch(`${t.apiUrl}/jobs/${none.job.id}/artifacts`, { headers: { 'JOB-TOKEN': consumer.token } })).status, 404);
      assert.equal((await fetch(`${t.apiUrl}/jobs/${producer.job.id}/artifacts`, { headers: { 'JOB-TOKEN': 'glcbt-unknown' } })).status, 403);
      assert.equal((await fetch(`${t.apiUrl}/jobs/${producer.job.id}/artifacts?token=${producer.token}`)).status, 200, 'its own token (query form)');
      const ranged = await fetch(`${t.apiUrl}/jobs/${producer.job.id}/artifacts`, { headers: { 'JOB-TOKEN': consumer.token, Range: 'bytes=0-3' } });
      assert.equal(ranged.status, 206);
      assert.deepEqual(await bytesOf(ranged), ZIP.subarray(0, 4));
    });
  });
}
