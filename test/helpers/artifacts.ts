/** Zips and uploads for artifact tests: a minimal zip writer (so tests can build archives no tool would), and the runner's upload. */
import assert from 'node:assert/strict';
import zlib from 'node:zlib';
import type { ServiceContext } from '../../src/services/context.js';
import { finishJob, startJob } from '../../src/services/pipelines/job-lifecycle.js';
import { tokenDigest } from '../../src/services/security/secrets.js';
import type { Job } from '../../src/store/jobs-repository.js';
import type { TestServer } from './server.js';

export interface ZipItem {
  name: string | Buffer;
  data?: Buffer | string;
  /** Unix mode (e.g. 0o120777 for a symbolic link, whose data is the target). */
  mode?: number;
  /** Deflate the data (default true). */
  deflate?: boolean;
  /** Claim this uncompressed size in the headers instead of the real one. */
  claimedSize?: number;
}

/** A zip archive, entry by entry, without validating names: the archives a hostile client could send. */
export function makeZip(items: ZipItem[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const item of items) {
    const name = Buffer.isBuffer(item.name) ? item.name : Buffer.from(item.name, 'utf8');
    const data = Buffer.isBuffer(item.data) ? item.data : Buffer.from(item.data ?? '', 'utf8');
    const deflate = item.deflate !== false && data.length > 0;
    const body = deflate ? zlib.deflateRawSync(data) : data;
    const crc = zlib.crc32(data);
    const size = item.claimedSize ?? data.length;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x800, 6);
    local.writeUInt16LE(deflate ? 8 : 0, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(name.length, 26);
    locals.push(local, name, body);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE((3 << 8) | 20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x800, 8);
    central.writeUInt16LE(deflate ? 8 : 0, 10);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(body.length, 20);
    central.writeUInt32LE(size, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(((item.mode ?? 0o100644) << 16) >>> 0, 38);
    central.writeUInt32LE(offset, 42);
    centrals.push(central, name);
    offset += 30 + name.length + body.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(items.length, 8);
  end.writeUInt16LE(items.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

/** The runner's upload: `POST /jobs/:id/artifacts?…` with a chunked multipart body holding one `file` part. */
export async function uploadArtifact(
  t: TestServer,
  jobId: number,
  token: string | null,
  body: Buffer,
  query: Record<string, string> = {},
  options: { filename?: string; field?: string } = {},
): Promise<{ status: number; text: string }> {
  const boundary = `----conveyor-test-${Date.now()}`;
  const head = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${options.field ?? 'file'}"; filename="${options.filename ?? 'artifacts.zip'}"\r\nContent-Type: application/octet-stream\r\n\r\n`);
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const parts = [head, body, tail];
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      const next = parts.shift();
      if (next) controller.enqueue(new Uint8Array(next));
      else controller.close();
    },
  });
  const qs = new URLSearchParams(query).toString();
  const headers: Record<string, string> = { 'Content-Type': `multipart/form-data; boundary=${boundary}` };
  if (token !== null) headers['JOB-TOKEN'] = token;
  const response = await fetch(`${t.apiUrl}/jobs/${jobId}/artifacts${qs ? `?${qs}` : ''}`, { method: 'POST', headers, body: stream, duplex: 'half' } as RequestInit);
  return { status: response.status, text: await response.text() };
}

let tokens = 0;

/** Moves a pending job to running with a known CI_JOB_TOKEN (what a runner's job request does). */
export async function startWithToken(ctx: ServiceContext, job: Job): Promise<{ job: Job; token: string }> {
  const token = `glcbt-test-${process.pid}-${Date.now()}-${tokens++}`;
  await ctx.store.jobs.update(job.id, { tokenDigest: tokenDigest(token) });
  const started = await startJob(ctx, (await ctx.store.jobs.findById(job.id))!);
  assert.ok(started, `job ${job.name} starts`);
  return { job: started, token };
}

/** Runs a job as a runner would: start, upload each archive given, finish. */
export async function runWithArtifacts(
  t: TestServer,
  job: Job,
  uploads: Array<{ body: Buffer; query?: Record<string, string>; filename?: string }>,
  outcome: 'success' | 'failed' = 'success',
): Promise<Job> {
  const ctx = t.server.app.ctx;
  const { job: started, token } = await startWithToken(ctx, job);
  for (const upload of uploads) {
    const res = await uploadArtifact(t, job.id, token, upload.body, upload.query ?? {}, { filename: upload.filename });
    assert.equal(res.status, 201, res.text);
  }
  const finished = await finishJob(ctx, started, outcome === 'success' ? { status: 'success' } : { status: 'failed', failureReason: 'script_failure' });
  assert.ok(finished);
  return finished;
}

/** Reads a response body fully as bytes. */
export async function bytesOf(response: Response): Promise<Buffer> {
  return Buffer.from(await response.arrayBuffer());
}
