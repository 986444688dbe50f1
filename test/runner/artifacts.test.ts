import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import { Runner } from '../../src/runner/index.js';
import { archiveFilename } from '../../src/runner/artifact-archive.js';
import { selectArtifactFiles } from '../../src/runner/artifact-files.js';
import { uploadQuery } from '../../src/runner/artifacts-uploader.js';
import { safeEntryName } from '../../src/runner/zip-extract.js';
import { FakeGitLab, jobPayload } from './fake-gitlab.js';
import { makeZip, parseMultipart, readZip } from './zip-helpers.js';

const ARCHIVE = { name: 'build', paths: ['out/', 'top.txt'], exclude: ['out/**/*.o'], when: 'on_success', expire_in: '1 week', artifact_type: 'archive', artifact_format: 'zip' };
const JUNIT = { name: 'junit.xml', paths: ['report.xml'], when: 'always', artifact_type: 'junit', artifact_format: 'gzip' };

describe('runner: artifacts', () => {
  let gitlab: FakeGitLab;
  let runner: Runner;
  let buildsDir: string;

  before(async () => {
    gitlab = await FakeGitLab.start();
    buildsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'conveyor-runner-artifacts-'));
    runner = new Runner({ url: gitlab.url, token: 'glrt-artifacts', buildsDir, concurrent: 1, checkInterval: 50, cancelCheckInterval: 200, traceUpdateInterval: 300 });
    runner.start();
  });
  after(async () => {
    await runner.stop();
    await gitlab.close();
    fs.rmSync(buildsDir, { recursive: true, force: true });
  });

  it('names files and queries like gitlab-runner', () => {
    assert.equal(archiveFilename(undefined, 'zip'), 'artifacts.zip');
    assert.equal(archiveFilename('junit.xml', 'gzip'), 'junit.xml.gz');
    assert.equal(archiveFilename('report.json', 'raw'), 'report.json');
    assert.equal(uploadQuery(ARCHIVE), '?artifact_format=zip&artifact_type=archive&expire_in=1%20week');
    assert.equal(uploadQuery({}), '');
  });

  it('selects globs with **, whole directories, excludes and untracked files', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'conveyor-select-'));
    try {
      for (const f of ['a/x.txt', 'a/deep/y.txt', 'a/deep/z.o', 'b/w.txt', '.hidden/h.txt', 'c.log']) {
        fs.mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
        fs.writeFileSync(path.join(dir, f), f);
      }
      const warnings: string[] = [];
      const names = async (paths: string[], exclude: string[] = []) =>
        (await selectArtifactFiles(dir, { paths, exclude, untracked: false }, (m) => warnings.push(m))).map((f) => f.name);
      assert.deepEqual(await names(['a/**/*.txt']), ['a/deep/y.txt', 'a/x.txt']);
      assert.deepEqual(await names(['a'], ['**/*.o']), ['a', 'a/deep', 'a/deep/y.txt', 'a/x.txt']);
      assert.deepEqual(await names(['*/deep'], ['a/deep/z.o']), ['a/deep', 'a/deep/y.txt']);
      assert.deepEqual(await names(['**/h.txt', `${dir}/c.log`]), ['.hidden/h.txt', 'c.log']);
      assert.deepEqual(await names(['../outside', 'missing/']), []);
      assert.equal(warnings.length, 2);
      const { execFileSync } = await import('node:child_process');
      execFileSync('git', ['init', '-q', dir]);
      execFileSync('git', ['-C', dir, 'add', 'a']);
      const untracked = await selectArtifactFiles(dir, { paths: [], exclude: ['.hidden'], untracked: true }, () => {});
      assert.deepEqual(untracked.map((f) => f.name), ['b/w.txt', 'c.log']);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('uploads a zip (paths minus exclude) and a gzip report as streamed multipart bodies', async () => {
    const payload = jobPayload({
      script: ['mkdir -p out/sub', 'echo a > out/a.txt', 'printf "\\x00\\x01" > out/sub/b.bin', 'echo o > out/sub/c.o', 'echo top > top.txt', 'ln -s a.txt out/link', 'echo "<xml/>" > report.xml'],
      artifacts: [ARCHIVE, JUNIT],
    });
    gitlab.addJob(payload);
    const job = await gitlab.finished(payload.id);
    assert.equal(job.final.state, 'success', job.trace.toString());
    const uploads = gitlab.uploads.filter((u) => u.jobId === payload.id);
    assert.equal(uploads.length, 2);
    const [archive, junit] = uploads;
    assert.equal(archive.query.toString(), 'artifact_format=zip&artifact_type=archive&expire_in=1+week');
    assert.equal(archive.headers['job-token'], payload.token);
    assert.equal(archive.headers['transfer-encoding'], 'chunked');
    assert.equal(archive.headers['content-length'], undefined);
    const parts = parseMultipart(archive.body, String(archive.headers['content-type']));
    assert.equal(parts.length, 1);
    assert.match(parts[0].headers, /Content-Disposition: form-data; name="file"; filename="build.zip"/);
    const entries = await readZip(parts[0].content);
    assert.deepEqual([...entries.keys()].sort(), ['out/', 'out/a.txt', 'out/link', 'out/sub/', 'out/sub/b.bin', 'top.txt']);
    assert.equal(entries.get('out/a.txt')!.content.toString(), 'a\n');
    assert.deepEqual([...entries.get('out/sub/b.bin')!.content], [0, 1]);
    assert.equal(entries.get('out/link')!.content.toString(), 'a.txt');
    assert.equal(entries.get('out/link')!.mode & 0o170000, 0o120000);
    assert.equal(junit.query.get('artifact_type'), 'junit');
    const report = parseMultipart(junit.body, String(junit.headers['content-type']))[0];
    assert.match(report.headers, /filename="junit.xml.gz"/);
    assert.equal(gunzipSync(report.content).toString(), '<xml/>\n');
    assert.match(job.trace.toString(), /Uploading artifacts as "archive" to coordinator\.\.\. 201 Created/);
  });

  it('uploads on_failure artifacts of a failed job, and not on_success ones', async () => {
    const payload = jobPayload({ script: ['echo "<xml/>" > report.xml', 'mkdir -p out && touch out/x', 'exit 1'], artifacts: [ARCHIVE, JUNIT] });
    gitlab.addJob(payload);
    const job = await gitlab.finished(payload.id);
    assert.equal(job.final.state, 'failed');
    assert.deepEqual(gitlab.uploads.filter((u) => u.jobId === payload.id).map((u) => u.query.get('artifact_type')), ['junit']);
    assert.match(job.trace.toString(), /section_start:\d+:upload_artifacts_on_failure/);
  });

  it('fails the job at once when the server refuses the upload (403)', async () => {
    const payload = jobPayload({ script: ['mkdir -p out && echo a > out/a.txt'], artifacts: [ARCHIVE] });
    gitlab.uploadStatus = 403;
    try {
      gitlab.addJob(payload);
      const job = await gitlab.finished(payload.id);
      assert.equal(job.final.state, 'failed');
      assert.equal(job.final.failure_reason, 'script_failure');
      assert.equal(job.final.exit_code, 1);
      assert.equal(gitlab.uploads.filter((u) => u.jobId === payload.id).length, 1);
      assert.match(job.trace.toString(), /ERROR: Uploading artifacts as "archive" to coordinator\.\.\. 403 Forbidden/);
    } finally {
      gitlab.uploadStatus = 201;
    }
  });

  it('retries an upload the server cannot take (405: artifacts not served yet) three times, then fails the job', async () => {
    const payload = jobPayload({ script: ['mkdir -p out && echo a > out/a.txt'], artifacts: [ARCHIVE] });
    gitlab.uploadStatus = 405;
    try {
      gitlab.addJob(payload);
      const job = await gitlab.finished(payload.id);
      assert.equal(job.final.state, 'failed');
      assert.equal(job.final.failure_reason, 'script_failure');
      assert.equal(gitlab.uploads.filter((u) => u.jobId === payload.id).length, 3);
      assert.match(job.trace.toString(), /405 Method Not Allowed/);
    } finally {
      gitlab.uploadStatus = 201;
    }
  });

  it('a job without matching files succeeds with a warning and uploads nothing', async () => {
    // GIT_STRATEGY=none keeps the files of earlier jobs in this project dir.
    const payload = jobPayload({ script: ['rm -rf out top.txt'], artifacts: [ARCHIVE] });
    gitlab.addJob(payload);
    const job = await gitlab.finished(payload.id);
    assert.equal(job.final.state, 'success');
    assert.equal(gitlab.uploads.filter((u) => u.jobId === payload.id).length, 0);
    assert.match(job.trace.toString(), /No files to upload/);
  });

  it('refuses archive entries that would leave the project directory', () => {
    assert.equal(safeEntryName('a/b.txt'), 'a/b.txt');
    assert.equal(safeEntryName('./a//b'), 'a/b');
    assert.equal(safeEntryName('../x'), null);
    assert.equal(safeEntryName('a/../../x'), null);
    assert.equal(safeEntryName('/etc/passwd'), null);
    assert.equal(safeEntryName('C:/x'), null);
  });

  it("downloads dependencies' archives with their token and extracts them safely", async () => {
    const zip = await makeZip(
      [
        { name: 'dist/app.js', content: 'console.log(1)\n' },
        { name: 'dist/run.sh', content: '#!/bin/sh\n', mode: 0o100755 },
        { name: 'zz/evil.txt', content: 'escaped' },
        { name: 'dist/inner', content: 'app.js', mode: 0o120777 },
        { name: 'dist/outer', content: '../../../../../../../../etc', mode: 0o120777 },
      ],
      { 'zz/evil.txt': '../evil.txt' },
    );
    gitlab.downloads.set(555, zip);
    const payload = jobPayload({
      script: ['cat dist/app.js', 'test -x dist/run.sh', 'readlink dist/inner', 'test ! -e dist/outer', 'ls ..'],
      dependencies: [
        { id: 555, name: 'build', token: 'glcbt-consumer-token', artifacts_file: { filename: 'artifacts.zip', size: zip.length } },
        { id: 556, name: 'no-artifacts', token: 'glcbt-consumer-token', artifacts_file: null },
      ],
    });
    gitlab.addJob(payload);
    const job = await gitlab.finished(payload.id);
    const log = job.trace.toString();
    assert.equal(job.final.state, 'success', log);
    const download = gitlab.requests.find((r) => r.method === 'GET' && r.path === '/api/v4/jobs/555/artifacts')!;
    assert.equal(download.headers['job-token'], 'glcbt-consumer-token');
    assert.ok(!gitlab.requests.some((r) => r.path === '/api/v4/jobs/556/artifacts'));
    assert.match(log, /console\.log\(1\)/);
    assert.match(log, /path is outside of the project directory, skipped/);
    assert.match(log, /dist\/outer: symlink to .* leads outside the project directory, skipped/);
    assert.ok(!fs.existsSync(path.join(buildsDir, 'artifact', '0', 'acme', 'evil.txt')), 'nothing was written beside the project dir');
    assert.ok(fs.existsSync(path.join(buildsDir, 'artifact', '0', 'acme', 'demo', 'dist', 'app.js')));
  });

  it('fails the job at once on an archive that is not a zip', async () => {
    gitlab.downloads.set(557, Buffer.from('not a zip at all'));
    const payload = jobPayload({ script: ['echo never'], dependencies: [{ id: 557, name: 'broken', token: 'glcbt-x', artifacts_file: { filename: 'artifacts.zip', size: 16 } }] });
    gitlab.addJob(payload);
    const job = await gitlab.finished(payload.id);
    assert.equal(job.final.state, 'failed');
    assert.match(job.trace.toString(), /ERROR: extracting artifacts: /);
    assert.equal(gitlab.requests.filter((r) => r.path === '/api/v4/jobs/557/artifacts').length, 1);
  });

  it('fails the job when a dependency has no archive (404)', async () => {
    const payload = jobPayload({ script: ['echo never'], dependencies: [{ id: 999, name: 'gone', token: 'glcbt-x', artifacts_file: { filename: 'artifacts.zip', size: 1 } }] });
    gitlab.addJob(payload);
    const job = await gitlab.finished(payload.id);
    assert.equal(job.final.state, 'failed');
    assert.equal(job.final.failure_reason, 'script_failure');
    assert.ok(!job.trace.toString().includes('\nnever\n'));
    assert.match(job.trace.toString(), /Downloading artifacts from coordinator\.\.\. 404 Not Found/);
  });
});
