import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';

interface Writer {
  handle: Promise<fsp.FileHandle>;
  busy: number;
  usedAt: number;
}

const MAX_OPEN = 256;
const IDLE_MS = 60_000;

/**
 * Open handles of the blobs being appended to (running jobs' logs), opened with O_DSYNC so that a write
 * returns only once its bytes are on disk: one thread-pool task per append, where opening, writing,
 * fdatasync and closing made five, and a runner's log patches come every few seconds for the job's whole
 * life. Writes are positional, so handles of several processes on one shared file do not disturb each
 * other. Idle handles close after a minute; deleting a blob closes its handle first.
 */
export class DurableWriters {
  readonly #writers = new Map<string, Writer>();
  readonly #sweep: NodeJS.Timeout;

  constructor() {
    this.#sweep = setInterval(() => this.#closeIdle(Date.now() - IDLE_MS), IDLE_MS);
    this.#sweep.unref();
  }

  async write(file: string, offset: number, bytes: Buffer): Promise<void> {
    const writer = this.#writerFor(file);
    writer.busy++;
    try {
      const handle = await writer.handle;
      let written = 0;
      while (written < bytes.length) {
        const { bytesWritten } = await handle.write(bytes, written, bytes.length - written, offset + written);
        written += bytesWritten;
      }
    } catch (error) {
      void this.#drop(file, writer);
      throw error;
    } finally {
      writer.busy--;
      writer.usedAt = Date.now();
    }
  }

  /** Before a blob is deleted: later writes must not land in the deleted file. */
  async forget(file: string): Promise<void> {
    const writer = this.#writers.get(file);
    if (writer) await this.#drop(file, writer);
  }

  async closeAll(): Promise<void> {
    clearInterval(this.#sweep);
    await Promise.all([...this.#writers].map(([file, writer]) => this.#drop(file, writer)));
  }

  #writerFor(file: string): Writer {
    let writer = this.#writers.get(file);
    if (!writer) {
      if (this.#writers.size >= MAX_OPEN) this.#closeIdle(Infinity, 1);
      writer = { handle: openForAppends(file), busy: 0, usedAt: Date.now() };
      // A failed open is reported to the writer that awaits it; the entry goes with it.
      writer.handle.catch(() => undefined);
      this.#writers.set(file, writer);
    }
    return writer;
  }

  async #drop(file: string, writer: Writer): Promise<void> {
    if (this.#writers.get(file) === writer) this.#writers.delete(file);
    await writer.handle.then((handle) => handle.close(), () => undefined).catch(() => undefined);
  }

  /** Closes handles unused since `before`, at most `limit` of them, oldest first; busy ones stay. */
  #closeIdle(before: number, limit = Infinity): void {
    const idle = [...this.#writers].filter(([, w]) => w.busy === 0 && w.usedAt <= before).sort((a, b) => a[1].usedAt - b[1].usedAt);
    for (const [file, writer] of idle.slice(0, limit)) void this.#drop(file, writer);
  }
}

async function openForAppends(file: string): Promise<fsp.FileHandle> {
  const flags = fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_DSYNC;
  try {
    return await fsp.open(file, flags, 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    await fsp.mkdir(path.dirname(file), { recursive: true });
    return fsp.open(file, flags, 0o600);
  }
}
