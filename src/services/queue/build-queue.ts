import crypto from 'node:crypto';
import type { QueuedJob } from '../../store/job-queue-repository.js';
import type { ConveyorEvents, JobStatusEvent } from '../events.js';

/** A build became pending: a runner may now get something it did not before. */
export const wakesRunners = (event: Pick<JobStatusEvent, 'to' | 'type'>) => event.to === 'pending' && event.type === 'build';

/** Candidates as one read returned them, and where the next read starts. */
export interface QueueBatch {
  jobs: QueuedJob[];
  /** The last job the read returned; the next batch starts after it. */
  lastId: number;
  /** The read was full: more pending jobs may follow `lastId`. */
  more: boolean;
}

export function queueBatch(jobs: QueuedJob[], limit: number, afterId: number): QueueBatch {
  return { jobs, lastId: jobs.length > 0 ? jobs[jobs.length - 1].id : afterId, more: jobs.length === limit };
}

/**
 * The "queue version" runners send back as `last_update`: it changes whenever a job becomes pending or a
 * runner changes, so an idle runner whose version is current can be answered, or held in a long poll,
 * without a query. One version for the whole process (GitLab keeps one per runner; a shared one only
 * wakes a few more polls, each of which then searches the queue once).
 */
export class BuildQueue {
  /** Other processes take jobs from the same database. */
  readonly shared: boolean;
  private readonly prefix = crypto.randomBytes(4).toString('hex');
  private counter = 0;
  private current: string;
  private waiters = new Set<() => void>();

  /**
   * `shared`: several processes share the database, and the version must be the same in all of them (a
   * runner's next poll may reach another process): it then moves only with `tickTo`, fed by the
   * cross-process messages every process receives in the same order (services/cluster-events.ts).
   */
  constructor(events: ConveyorEvents, options: { shared?: boolean } = {}) {
    this.current = this.next();
    this.shared = options.shared ?? false;
    if (options.shared) return;
    events.on('job-status', (event) => {
      if (wakesRunners(event)) this.tick();
    });
    events.on('runner-changed', () => this.tick());
  }

  /** Moves to a version chosen elsewhere (the same in every process) and wakes the held polls. */
  tickTo(version: string): void {
    this.current = version;
    const waiting = this.waiters;
    this.waiters = new Set();
    for (const wake of waiting) wake();
  }

  private next(): string {
    this.counter++;
    return `${this.prefix}${this.counter.toString(16).padStart(8, '0')}`;
  }

  version(): string {
    return this.current;
  }

  tick(): void {
    this.tickTo(this.next());
  }

  /**
   * Resolves true as soon as the version differs from `seen`, false after `timeoutMs` or when `abort`
   * fires (the runner hung up, the server is stopping).
   */
  waitForChange(seen: string, timeoutMs: number, abort?: AbortSignal): Promise<boolean> {
    if (seen !== this.current) return Promise.resolve(true);
    if (timeoutMs <= 0 || abort?.aborted) return Promise.resolve(false);
    return new Promise((resolve) => {
      const finish = (changed: boolean) => {
        clearTimeout(timer);
        this.waiters.delete(wake);
        abort?.removeEventListener('abort', onAbort);
        resolve(changed);
      };
      const wake = () => finish(true);
      const onAbort = () => finish(false);
      const timer = setTimeout(() => finish(false), timeoutMs);
      this.waiters.add(wake);
      abort?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /**
   * Jobs a request of this process is taking right now. Concurrent requests read the same oldest
   * candidates; skipping the ones a neighbour is already taking saves the losers a row read and a
   * conditional update each. Only a hint: the database's conditional update still decides.
   */
  private readonly claims = new Set<number>();

  claim(jobId: number): boolean {
    if (this.claims.has(jobId)) return false;
    this.claims.add(jobId);
    return true;
  }

  unclaim(jobId: number): void {
    this.claims.delete(jobId);
  }

  /**
   * The oldest pending builds as one read found them, shared by this process's concurrent requests when no
   * other process takes jobs: thirty runners asking at once otherwise each read the same head of the queue.
   * Valid while the version stays: a job becoming pending (possibly older than these, a requeued one) moves
   * it. Jobs taken, or found gone, leave the window; an empty one is read again.
   */
  private window: (QueueBatch & { version: string }) | undefined;

  /** The window's jobs still pending; `lastId` and `more` as the read found them (where the next batch starts). */
  async queueHead(limit: number, read: () => Promise<QueuedJob[]>): Promise<QueueBatch> {
    const version = this.current;
    if (this.window?.version !== version || this.window.jobs.length === 0) {
      this.window = { ...queueBatch(await read(), limit, 0), version };
    }
    return { ...this.window, jobs: [...this.window.jobs] };
  }

  leftQueue(jobId: number): void {
    if (!this.window) return;
    const at = this.window.jobs.findIndex((job) => job.id === jobId);
    if (at !== -1) this.window.jobs.splice(at, 1);
  }

  /** True once the server is stopping: woken long polls answer 204 without searching. */
  closed = false;

  /** Releases every held long poll (shutdown answers them with 204). */
  releaseAll(): void {
    this.closed = true;
    this.tick();
  }
}
