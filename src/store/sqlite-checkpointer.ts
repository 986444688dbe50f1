import { Worker } from 'node:worker_threads';

/** How often the worker is asked to checkpoint while writes come in. */
const CHECKPOINT_EVERY_MS = 200;

/**
 * Checkpoints SQLite's WAL on a worker thread. SQLite's own automatic checkpoint runs inside a commit, on
 * the event loop, copying pages and fsyncing the database file while every request waits: a tenth of the
 * server's time under a runner's write load. Here the worker copies what was committed a moment ago; the
 * server's connection keeps a far-off automatic checkpoint only as a bound on the WAL's size, for when
 * writes never pause long enough for the worker to catch up (a checkpoint that finds little left to copy).
 */
export class SqliteCheckpointer {
  readonly #worker: Worker;
  #inFlight = false;
  #dirty = false;
  #timer: NodeJS.Timeout | undefined;
  #closed = false;
  #exited = false;

  constructor(file: string, private readonly onError: (error: string) => void = () => undefined) {
    this.#worker = new Worker(new URL('./sqlite-checkpoint-worker.js', import.meta.url), { workerData: { file } });
    this.#worker.unref();
    this.#worker.on('message', (answer: { error?: string }) => {
      this.#inFlight = false;
      if (answer.error) this.onError(answer.error);
      if (this.#dirty) this.#schedule();
    });
    this.#worker.on('error', (error) => this.onError(String(error)));
    this.#worker.on('exit', () => (this.#exited = true));
  }

  /** After a commit: a checkpoint follows within CHECKPOINT_EVERY_MS. */
  committed(): void {
    this.#dirty = true;
    this.#schedule();
  }

  #schedule(): void {
    if (this.#timer || this.#inFlight || this.#closed) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      if (this.#closed) return;
      this.#dirty = false;
      this.#inFlight = true;
      this.#worker.postMessage('checkpoint');
    }, CHECKPOINT_EVERY_MS);
    this.#timer.unref();
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
    if (this.#exited) return;
    const exited = new Promise<void>((resolve) => this.#worker.once('exit', () => resolve()));
    // Unreferenced so an idle server may exit; the close is awaited, so the worker must keep the loop alive now.
    this.#worker.ref();
    this.#worker.postMessage('close');
    // A checkpoint in progress finishes first; one that never does must not hold the shutdown.
    const stuck = setTimeout(() => void this.#worker.terminate(), 10_000);
    await exited;
    clearTimeout(stuck);
  }
}
