import crypto from 'node:crypto';
import type { ConveyorEvents } from '../events.js';

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

  constructor(events: ConveyorEvents) {
    this.current = this.next();
    events.on('job-status', (event) => {
      if (event.to === 'pending' && event.type === 'build') this.tick();
    });
    events.on('runner-changed', () => this.tick());
  }

  private next(): string {
    this.counter++;
    return `${this.prefix}${this.counter.toString(16).padStart(8, '0')}`;
  }

  version(): string {
    return this.current;
  }

  tick(): void {
    this.current = this.next();
    const waiting = this.waiters;
    this.waiters = new Set();
    for (const wake of waiting) wake();
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

  /** True once the server is stopping: woken long polls answer 204 without searching. */
  closed = false;

  /** Releases every held long poll (shutdown answers them with 204). */
  releaseAll(): void {
    this.closed = true;
    this.tick();
  }
}
