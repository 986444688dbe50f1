import crypto from 'node:crypto';
import type { ConveyorEvents, JobStatusEvent } from '../events.js';

/** A build became pending: a runner may now get something it did not before. */
export const wakesRunners = (event: Pick<JobStatusEvent, 'to' | 'type'>) => event.to === 'pending' && event.type === 'build';

/**
 * The "queue version" runners send back as `last_update`: it changes whenever a job becomes pending or a
 * runner changes, so an idle runner whose version is current can be answered, or held in a long poll,
 * without a query. One version for the whole process (GitLab keeps one per runner; a shared one only
 * wakes a few more polls, each of which then searches the queue once).
 */
export class BuildQueue {
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

  /** True once the server is stopping: woken long polls answer 204 without searching. */
  closed = false;

  /** Releases every held long poll (shutdown answers them with 204). */
  releaseAll(): void {
    this.closed = true;
    this.tick();
  }
}
