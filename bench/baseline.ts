import fs from 'node:fs';
import fsp from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';

/** A bare node:http server answering every request with the given bytes and headers: the floor to compare against. */
export async function startBaseline(body: Buffer, headers: Record<string, string>): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((_req, res) => {
    res.writeHead(200, { ...headers, 'content-length': String(body.length) });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/**
 * The floor for log ingest: a bare node:http server that does only what makes a `PATCH /jobs/:id/trace`
 * durable — each body written at its `Content-Range` offset through a per-job handle opened with O_DSYNC,
 * as Conveyor's log writer does — and answers 202 with the runner protocol's `Range`. No token, no job,
 * no database: what is left of a log patch's cost once Conveyor's own work is taken away, on this disk.
 */
export async function startDurableTraceBaseline(dir: string): Promise<{ url: string; close(): Promise<void> }> {
  const handles = new Map<string, Promise<fsp.FileHandle>>();
  const sizes = new Map<string, number>();
  const handleOf = (job: string) => {
    let handle = handles.get(job);
    if (!handle) {
      handle = fsp.open(path.join(dir, `${job}.log`), fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_DSYNC, 0o600);
      handles.set(job, handle);
    }
    return handle;
  };
  const server = http.createServer((req, res) => {
    const job = /^\/api\/v4\/jobs\/(\d+)\/trace$/.exec(req.url ?? '')?.[1];
    const start = /^(\d+)-\d+$/.exec(req.headers['content-range'] ?? '')?.[1];
    const parts: Buffer[] = [];
    req.on('data', (part: Buffer) => parts.push(part));
    req.on('end', async () => {
      if (req.method !== 'PATCH' || !job || start === undefined) {
        res.writeHead(400).end();
        return;
      }
      const body = Buffer.concat(parts);
      try {
        const handle = await handleOf(job);
        for (let written = 0; written < body.length; ) written += (await handle.write(body, written, body.length - written, Number(start) + written)).bytesWritten;
      } catch {
        res.writeHead(500).end();
        return;
      }
      const size = Math.max(sizes.get(job) ?? 0, Number(start) + body.length);
      sizes.set(job, size);
      res.writeHead(202, { 'job-status': 'running', range: `0-${size}`, 'x-gitlab-trace-update-interval': '30', 'content-length': '0' }).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      for (const handle of handles.values()) await (await handle).close();
    },
  };
}
