/**
 * Artifacts (issue #7), each figure beside a reference measured in the same run on the same files:
 * 1. upload: a 1 GiB archive (10,000 stored entries) through `POST /jobs/:id/artifacts` (chunked
 *    multipart, as the runner sends it) vs a bare node:http server writing the same body to a file;
 * 2. one 1 KiB file out of that archive through `GET /projects/:id/jobs/:job_id/artifacts/*path`: the first
 *    request (reads the central directory) and then latency over many requests, with the process's RSS
 *    and heap before and after (target < 10 ms, growth < 20 MB);
 * 3. archive download: `GET /projects/:id/jobs/:job_id/artifacts` of the 1 GiB archive vs a bare node:http
 *    server streaming the same file;
 * 4. one 500 MiB entry streamed out of a zip, deflated and stored, vs `unzip -p` on the same file (target
 *    >= 70%), rounds interleaved and medians taken (the 2 cores are shared). The download is read twice:
 *    by fetch in this process (the server's thread also pays for the client) and by curl in its own process
 *    (as unzip runs in its own). CPU time per run is shown too: it moves less than wall time when others
 *    use the cores.
 * The archives are built in a temporary folder (yazl) and removed afterwards. Server and client share this
 * process, as in the other benchmarks.
 *
 * Usage: node --expose-gc dist/bench/artifacts.js [sqlite|postgres]
 */
import { spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import yazl from 'yazl';
import type { TestDialect } from '../test/helpers/databases.js';
import { startWithToken } from '../test/helpers/artifacts.js';
import { createProject } from '../test/helpers/fixtures.js';
import { jobNamed, pushPipeline } from '../test/helpers/pipelines.js';
import { ROOT_TOKEN, startTestServer, type TestServer } from '../test/helpers/server.js';
import { runWithServerNodeFlags } from './server-flags.js';

runWithServerNodeFlags();

const dialect = (process.argv[2] ?? 'sqlite') as TestDialect;
const MiB = 1024 * 1024;
const ENTRIES = 10_000;
const ARCHIVE_BYTES = 1024 * MiB;
const BIG_ENTRY = 500 * MiB;
const NEEDLE = 'needle/one-kib.txt';
const ENTRY = 'big/bundle.txt';
const ROUNDS = 5;

interface Run {
  bytes: number;
  ms: number;
  cpuMs: number;
}

const ownCpu = (since: NodeJS.CpuUsage) => {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1000;
};
const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);
const mb = (bytes: number) => (bytes / MiB).toFixed(1);
const rate = (bytes: number, ms: number) => bytes / MiB / (ms / 1000);

async function writeZip(file: string, fill: (zip: yazl.ZipFile) => void): Promise<number> {
  const zip = new yazl.ZipFile();
  const done = pipeline(zip.outputStream, fs.createWriteStream(file));
  fill(zip);
  zip.end();
  await done;
  return fs.statSync(file).size;
}

/** 1 GiB, 10,000 stored (uncompressed) entries of ~105 KiB of random bytes, and one 1 KiB text file. */
async function bigArchive(file: string): Promise<number> {
  const pool = crypto.randomBytes(4 * MiB);
  const per = Math.floor((ARCHIVE_BYTES - 1024) / (ENTRIES - 1));
  return writeZip(file, (zip) => {
    for (let i = 0; i < ENTRIES - 1; i++) {
      const start = (i * 7919) % (pool.length - per);
      zip.addBuffer(pool.subarray(start, start + per), `dist/part-${String(Math.floor(i / 100)).padStart(3, '0')}/file-${i}.bin`, { compress: false, mtime: new Date(0) });
      if (i === 5000) zip.addBuffer(Buffer.from('x'.repeat(1023) + '\n'), NEEDLE, { compress: false, mtime: new Date(0) });
    }
  });
}

/** 500 MiB of base64 text (deflates to about 3/4), the shape of a large log or bundle. */
async function bigText(file: string): Promise<void> {
  const chunk = 4 * MiB;
  let left = BIG_ENTRY;
  const source = new Readable({
    read() {
      if (left <= 0) return void this.push(null);
      const n = Math.min(chunk, left);
      left -= n;
      this.push(Buffer.from(crypto.randomBytes(Math.ceil((n * 3) / 4)).toString('base64').slice(0, n)));
    },
  });
  await pipeline(source, fs.createWriteStream(file));
}

/** That text as the one entry of a zip, deflated or stored. */
const bigEntryArchive = (file: string, text: string, compress: boolean) => writeZip(file, (zip) => zip.addFile(text, ENTRY, { compress, mtime: new Date(0) }));

/** The runner's upload: a chunked multipart body streamed from the file. */
async function upload(url: string, token: string | null, file: string): Promise<{ status: number; ms: number }> {
  const boundary = '----conveyor-bench';
  const body = new PassThrough();
  const began = performance.now();
  const response = fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': `multipart/form-data; boundary=${boundary}`, ...(token ? { 'JOB-TOKEN': token } : {}) },
    body: Readable.toWeb(body) as ReadableStream,
    duplex: 'half',
  } as RequestInit);
  body.write(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="artifacts.zip"\r\nContent-Type: application/octet-stream\r\n\r\n`);
  await pipeline(fs.createReadStream(file, { highWaterMark: MiB }), body, { end: false });
  body.end(`\r\n--${boundary}--\r\n`);
  const res = await response;
  await res.arrayBuffer();
  return { status: res.status, ms: performance.now() - began };
}

/** Downloads fully, counting bytes; answers the time taken. */
async function download(url: string, headers: Record<string, string> = {}): Promise<Run & { status: number }> {
  const began = performance.now();
  const cpu = process.cpuUsage();
  const res = await fetch(url, { headers });
  let bytes = 0;
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) bytes += chunk.length;
  return { bytes, ms: performance.now() - began, cpuMs: ownCpu(cpu), status: res.status };
}

/** A bare node:http server: POST writes the body to a file; GET streams `file`. */
async function bareServer(file: string, sink: string): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    if (req.method === 'POST') {
      pipeline(req, fs.createWriteStream(sink)).then(() => res.end('201'), () => res.destroy());
      return;
    }
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(fs.statSync(file).size) });
    fs.createReadStream(file, { highWaterMark: MiB }).pipe(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

const seconds = (t: string) => {
  const m = /(\d+)m([\d.]+)s/.exec(t);
  return m ? Number(m[1]) * 60 + Number(m[2]) : Number.NaN;
};

/** `unzip -p` read by this process, as the API's download is; answers its CPU time too (unzip's and ours). */
function unzipP(file: string, entry: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    const began = performance.now();
    const cpu = process.cpuUsage();
    const child = spawn('sh', ['-c', 'unzip -p "$0" "$1" && times >&2', file, entry], { stdio: ['ignore', 'pipe', 'pipe'] });
    let bytes = 0;
    let times = '';
    child.stdout.on('data', (c: Buffer) => (bytes += c.length));
    child.stderr.on('data', (c: Buffer) => (times += c));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`unzip exited ${code}`));
      const [user, system] = (times.trim().split('\n').pop() ?? '').split(/\s+/).map(seconds);
      resolve({ bytes, ms: performance.now() - began, cpuMs: ownCpu(cpu) + (user + system) * 1000 });
    });
  });
}

/** curl in its own process, writing to /dev/null; CPU time is this process's (the server's) and curl's. */
function curlGet(url: string, headers: Record<string, string>): Promise<Run> {
  return new Promise((resolve, reject) => {
    const began = performance.now();
    const cpu = process.cpuUsage();
    const args = ['-sf', '-o', '/dev/null', '-w', '%{size_download}', ...Object.entries(headers).flatMap(([k, v]) => ['-H', `${k}: ${v}`]), url];
    const child = spawn('sh', ['-c', 'curl "$@" && times >&2', 'curl', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let times = '';
    child.stdout.on('data', (c: Buffer) => (out += c));
    child.stderr.on('data', (c: Buffer) => (times += c));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`curl exited ${code}`));
      const [user, system] = (times.trim().split('\n').pop() ?? '').split(/\s+/).map(seconds);
      resolve({ bytes: Number(out), ms: performance.now() - began, cpuMs: ownCpu(cpu) + (user + system) * 1000 });
    });
  });
}

async function runningJob(t: TestServer, project: { id: number; path_with_namespace: string }, ref: string) {
  const pipeline = await pushPipeline(t, project, { '.gitlab-ci.yml': 'build:\n  script: make\n  artifacts: { paths: [dist/] }\n' }, ref);
  return startWithToken(t.server.app.ctx, await jobNamed(t.server.app.ctx, pipeline.id, 'build'));
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))];

async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'conveyor-bench-artifacts-'));
  const t = await startTestServer(dialect);
  try {
    console.log(`artifacts benchmark (${dialect}), ${os.cpus().length} cores, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
    let began = performance.now();
    const archiveFile = path.join(dir, 'big.zip');
    const archiveSize = await bigArchive(archiveFile);
    const text = path.join(dir, 'bundle.txt');
    await bigText(text);
    const entryFiles = { deflated: path.join(dir, 'deflated.zip'), stored: path.join(dir, 'stored.zip') };
    const deflatedSize = await bigEntryArchive(entryFiles.deflated, text, true);
    await bigEntryArchive(entryFiles.stored, text, false);
    fs.rmSync(text);
    console.log(`built ${mb(archiveSize)} MiB (${ENTRIES} entries) and two zips of one ${mb(BIG_ENTRY)} MiB entry (deflated to ${mb(deflatedSize)} MiB, and stored) in ${((performance.now() - began) / 1000).toFixed(1)} s`);

    await t.server.app.ctx.store.applicationSettings.set('max_artifacts_size', '2048');
    const project = await createProject(t);
    const headers = { 'PRIVATE-TOKEN': ROOT_TOKEN };
    const bare = await bareServer(archiveFile, path.join(dir, 'sink.bin'));

    // 1. Upload.
    const bareUpload = await upload(`${bare.url}/upload`, null, archiveFile);
    const job = await runningJob(t, project, 'main');
    const ours = await upload(`${t.apiUrl}/jobs/${job.job.id}/artifacts?expire_in=never`, job.token, archiveFile);
    if (ours.status !== 201) throw new Error(`upload answered ${ours.status}`);
    console.log(
      `upload ${mb(archiveSize)} MiB: conveyor ${rate(archiveSize, ours.ms).toFixed(0)} MiB/s (${(ours.ms / 1000).toFixed(1)} s, stored, sha256 and central directory checked)` +
        ` | node:http to a file ${rate(archiveSize, bareUpload.ms).toFixed(0)} MiB/s | ratio ${(bareUpload.ms / ours.ms).toFixed(2)}`,
    );

    // 2. One 1 KiB file out of the 1 GiB archive.
    const fileUrl = `${t.apiUrl}/projects/${project.id}/jobs/${job.job.id}/artifacts/${NEEDLE}`;
    gc();
    const before = process.memoryUsage();
    const first = await download(fileUrl, headers);
    if (first.status !== 200 || first.bytes !== 1024) throw new Error(`file answered ${first.status} with ${first.bytes} bytes`);
    const times: number[] = [];
    for (let i = 0; i < 300; i++) times.push((await download(fileUrl, headers)).ms);
    gc();
    const afterMem = process.memoryUsage();
    times.sort((a, b) => a - b);
    console.log(
      `1 KiB file from the ${mb(archiveSize)} MiB / ${ENTRIES}-entry archive: first ${first.ms.toFixed(1)} ms (reads the central directory),` +
        ` then median ${percentile(times, 50).toFixed(2)} ms, p99 ${percentile(times, 99).toFixed(2)} ms over ${times.length}` +
        ` (< 10 ms: ${percentile(times, 99) < 10 ? 'met' : 'NOT met'}) | memory growth: rss ${mb(afterMem.rss - before.rss)} MB,` +
        ` heap ${mb(afterMem.heapUsed - before.heapUsed)} MB (< 20 MB: ${afterMem.rss - before.rss < 20 * MiB ? 'met' : 'NOT met'})`,
    );

    // 3. Archive download.
    const archiveUrl = `${t.apiUrl}/projects/${project.id}/jobs/${job.job.id}/artifacts`;
    const bestOf = async (n: number, f: () => Promise<{ bytes: number; ms: number }>) => {
      let best = { bytes: 0, ms: Number.POSITIVE_INFINITY };
      for (let i = 0; i < n; i++) {
        const r = await f();
        if (r.ms < best.ms) best = r;
      }
      return best;
    };
    const bareDl = await bestOf(2, () => download(`${bare.url}/file`));
    gc();
    const rssBefore = process.memoryUsage().rss;
    const oursDl = await bestOf(2, () => download(archiveUrl, headers));
    const rssGrowth = process.memoryUsage().rss - rssBefore;
    if (oursDl.bytes !== archiveSize) throw new Error(`archive download gave ${oursDl.bytes} bytes`);
    console.log(
      `archive download ${mb(archiveSize)} MiB: conveyor ${rate(oursDl.bytes, oursDl.ms).toFixed(0)} MiB/s | node:http streaming the file` +
        ` ${rate(bareDl.bytes, bareDl.ms).toFixed(0)} MiB/s | ratio ${(bareDl.ms / oursDl.ms).toFixed(2)} | rss growth ${mb(rssGrowth)} MB`,
    );
    await bare.close();

    // 4. A 500 MiB entry vs unzip -p, deflated and stored.
    const curl = spawnSync('curl', ['--version']).status === 0;
    const median = (runs: Run[], key: 'ms' | 'cpuMs') => runs.map((r) => r[key]).sort((a, b) => a - b)[Math.floor(runs.length / 2)];
    for (const [kind, file] of Object.entries(entryFiles)) {
      const bigJob = await runningJob(t, project, `big-entry-${kind}`);
      const up = await upload(`${t.apiUrl}/jobs/${bigJob.job.id}/artifacts?expire_in=never`, bigJob.token, file);
      if (up.status !== 201) throw new Error(`upload answered ${up.status}`);
      const entryUrl = `${t.apiUrl}/projects/${project.id}/jobs/${bigJob.job.id}/artifacts/${ENTRY}`;
      const runs: Record<string, Run[]> = { unzip: [], fetch: [], curl: [] };
      gc();
      const rssBeforeEntry = process.memoryUsage().rss;
      let entryGrowth = 0;
      for (let round = 0; round < ROUNDS; round++) {
        runs.unzip.push(await unzipP(file, ENTRY));
        runs.fetch.push(await download(entryUrl, headers));
        entryGrowth = Math.max(entryGrowth, process.memoryUsage().rss - rssBeforeEntry);
        if (curl) runs.curl.push(await curlGet(entryUrl, headers));
      }
      for (const [who, list] of Object.entries(runs)) {
        if (list.some((r) => r.bytes !== BIG_ENTRY)) throw new Error(`${who} gave ${list.map((r) => r.bytes).join(', ')} bytes`);
      }
      const unzipMs = median(runs.unzip, 'ms');
      const figure = (who: string) => {
        const ratio = unzipMs / median(runs[who], 'ms');
        return `${who} ${rate(BIG_ENTRY, median(runs[who], 'ms')).toFixed(0)} MiB/s, ratio ${ratio.toFixed(2)} (>= 0.70: ${ratio >= 0.7 ? 'met' : 'NOT met'}), cpu ${(median(runs[who], 'cpuMs') / 1000).toFixed(1)} s`;
      };
      console.log(
        `${mb(BIG_ENTRY)} MiB ${kind} entry, medians of ${ROUNDS}: unzip -p ${rate(BIG_ENTRY, unzipMs).toFixed(0)} MiB/s, cpu ${(median(runs.unzip, 'cpuMs') / 1000).toFixed(1)} s` +
          ` | conveyor read by ${figure('fetch')}${curl ? ` | by ${figure('curl')}` : ''} | rss growth ${mb(entryGrowth)} MB`,
      );
    }
  } finally {
    await t.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

await main();
