import crypto from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { PassThrough, Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { BlobReader, BlobStore } from './blob-store.js';
import { DurableWriters } from './durable-writers.js';

/**
 * Reads of 1 MiB: a large archive or entry streams in few chunks (each read and each socket write has a
 * fixed cost), at the price of 1 MiB buffered per download.
 */
const READER_CHUNK = 1024 * 1024;

/** Server-made keys only: a path segment alphabet that cannot climb out of the root. */
const KEY_PATTERN = /^[a-z0-9-]+(\/[a-zA-Z0-9._-]+)+$/;

/** Blobs as files under one directory that every server process mounts. */
export class FilesystemBlobStore implements BlobStore {
  private readonly writers = new DurableWriters();

  constructor(private readonly root: string) {}

  close(): Promise<void> {
    return this.writers.closeAll();
  }

  private pathOf(key: string): string {
    if (!KEY_PATTERN.test(key) || key.split('/').some((part) => part === '.' || part === '..')) throw new Error(`invalid blob key ${key}`);
    return path.join(this.root, key);
  }

  async writeAt(key: string, offset: number, bytes: Buffer): Promise<void> {
    await this.writers.write(this.pathOf(key), offset, bytes);
  }

  async read(key: string, start: number, end: number): Promise<Buffer> {
    if (end <= start) return Buffer.alloc(0);
    let handle: fsp.FileHandle;
    try {
      handle = await fsp.open(this.pathOf(key), 'r');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return Buffer.alloc(0);
      throw error;
    }
    try {
      const out = Buffer.alloc(end - start);
      let read = 0;
      while (read < out.length) {
        const { bytesRead } = await handle.read(out, read, out.length - read, start + read);
        if (bytesRead === 0) break;
        read += bytesRead;
      }
      return out.subarray(0, read);
    } finally {
      await handle.close();
    }
  }

  stream(key: string, start: number, end: number): Readable {
    if (end <= start) return Readable.from([]);
    const file = this.pathOf(key);
    const out = new PassThrough();
    const source = fs.createReadStream(file, { start, end: end - 1, highWaterMark: READER_CHUNK });
    source.on('error', (error: NodeJS.ErrnoException) => (error.code === 'ENOENT' ? out.end() : out.destroy(error)));
    source.pipe(out);
    return out;
  }

  async put(key: string, source: Readable): Promise<{ size: number; sha256: string }> {
    const file = this.pathOf(key);
    await fsp.mkdir(path.dirname(file), { recursive: true });
    const temporary = `${file}.${crypto.randomBytes(6).toString('hex')}.partial`;
    const hash = crypto.createHash('sha256');
    let size = 0;
    const measure = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        hash.update(chunk);
        size += chunk.length;
        done(null, chunk);
      },
    });
    try {
      await pipeline(source, measure, fs.createWriteStream(temporary, { mode: 0o600 }));
      const handle = await fsp.open(temporary, 'r');
      await handle.datasync().finally(() => handle.close());
      await fsp.rename(temporary, file);
    } catch (error) {
      await fsp.rm(temporary, { force: true });
      throw error;
    }
    return { size, sha256: hash.digest('hex') };
  }

  async delete(key: string): Promise<void> {
    const file = this.pathOf(key);
    await this.writers.forget(file);
    await fsp.rm(file, { force: true });
  }

  async openReader(key: string): Promise<BlobReader | undefined> {
    let handle: fsp.FileHandle;
    try {
      handle = await fsp.open(this.pathOf(key), 'r');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    const { size } = await handle.stat();
    let open = 0;
    let closing: Promise<void> | null = null;
    const closeWhenIdle = () => {
      if (closing && open === 0) void handle.close().catch(() => undefined);
    };
    return {
      size,
      async read(position, length) {
        const out = Buffer.allocUnsafe(Math.max(0, Math.min(length, size - position)));
        let read = 0;
        while (read < out.length) {
          const { bytesRead } = await handle.read(out, read, out.length - read, position + read);
          if (bytesRead === 0) break;
          read += bytesRead;
        }
        return out.subarray(0, read);
      },
      stream(start, end) {
        if (end <= start) return Readable.from([]);
        open++;
        const stream = fs.createReadStream('', { fd: handle, start, end: end - 1, autoClose: false, highWaterMark: READER_CHUNK });
        let done = false;
        const release = () => {
          if (done) return;
          done = true;
          open--;
          closeWhenIdle();
        };
        // Without autoClose a stream that ends is not destroyed, so 'close' never comes: 'end' releases it too.
        stream.once('end', release);
        stream.once('close', release);
        return stream;
      },
      // Streams still reading keep the file open; it closes when the last one ends.
      async close() {
        closing ??= Promise.resolve();
        closeWhenIdle();
      },
    };
  }
}
