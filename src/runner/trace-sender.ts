import { errorMessage, type RunnerLogger } from './logger.js';
import { Backoff, sleep } from './backoff.js';
import type { ApiClient, ApiResponse } from './api-client.js';
import type { TraceLog } from './trace-log.js';

/** What the server said about a running job: stop gracefully (after_script runs) or at once. */
export type RemoteVerdict = 'canceling' | 'abort';

export interface FinalState {
  state: 'success' | 'failed';
  failureReason?: string;
  exitCode?: number;
}

export interface TraceSenderOptions {
  interval: number;
  cancelCheckInterval: number;
  logger: RunnerLogger;
  onVerdict: (verdict: RemoteVerdict) => void;
}

const MAX_PATCH = 1024 * 1024;
const MAX_INTERVAL = 15 * 60_000;
const FINAL_UPDATE_ATTEMPTS = 10;

/** `Job-Status` and 403 mean the same on every job call (§3): canceled/failed → abort, canceling → graceful. */
export function verdictOf(response: ApiResponse): RemoteVerdict | undefined {
  const status = response.headers.get('job-status');
  if (response.status === 403 || status === 'canceled' || status === 'failed') return 'abort';
  if (status === 'canceling') return 'canceling';
  return undefined;
}

/** N from `Range: 0-N`: the server's current log length. */
export function rangeEnd(header: string | null): number | undefined {
  const match = /^\s*(?:bytes\s+)?0-(\d+)\s*$/.exec(header ?? '');
  return match ? Number(match[1]) : undefined;
}

type PatchOutcome = 'sent' | 'rewound' | 'gone' | 'forbidden' | 'failed';

/**
 * Sends the job log incrementally (PATCH /jobs/:id/trace) and keeps the job alive (PUT running), which
 * is also how the runner hears of a cancel; then sends the final state.
 */
export class TraceSender {
  private sent = 0;
  private interval: number;
  private lastPatch = 0;
  private lastContact = Date.now();
  private traceGone = false;
  private finishing = false;
  private readonly stopLoop = new AbortController();
  private loop: Promise<void> | undefined;

  constructor(
    private readonly api: ApiClient,
    private readonly job: { id: number; token: string },
    private readonly log: TraceLog,
    private readonly options: TraceSenderOptions,
  ) {
    this.interval = options.interval;
  }

  get sentBytes(): number {
    return this.sent;
  }

  get updateInterval(): number {
    return this.interval;
  }

  start(): void {
    this.loop ??= this.run();
  }

  private async run(): Promise<void> {
    while (!this.stopLoop.signal.aborted) {
      await sleep(Math.min(this.interval, this.options.cancelCheckInterval), this.stopLoop.signal);
      if (this.stopLoop.signal.aborted) break;
      const now = Date.now();
      try {
        if (!this.traceGone && this.log.size > this.sent && now - this.lastPatch >= this.interval) await this.patch();
        else if (now - this.lastContact >= this.options.cancelCheckInterval) await this.keepAlive();
      } catch (error) {
        this.options.logger.warn({ job: this.job.id, err: errorMessage(error) }, 'job update failed');
      }
    }
  }

  private observe(response: ApiResponse): void {
    this.lastContact = Date.now();
    const seconds = Number(response.headers.get('x-gitlab-trace-update-interval'));
    if (Number.isFinite(seconds) && seconds > 0) this.interval = Math.min(seconds * 1000, MAX_INTERVAL);
    const verdict = verdictOf(response);
    if (verdict && !this.finishing) this.options.onVerdict(verdict);
  }

  async patch(): Promise<PatchOutcome> {
    const start = this.sent;
    const chunk = this.log.slice(start, start + MAX_PATCH);
    if (chunk.length === 0) return 'sent';
    this.lastPatch = Date.now();
    const response = await this.api.request('PATCH', `jobs/${this.job.id}/trace`, {
      body: chunk,
      contentType: 'text/plain',
      jobToken: this.job.token,
      headers: { 'Content-Range': `${start}-${start + chunk.length - 1}` },
    });
    this.observe(response);
    switch (response.status) {
      case 202:
        this.sent = start + chunk.length;
        return 'sent';
      case 416: {
        const end = rangeEnd(response.headers.get('range'));
        if (end === undefined) return 'failed';
        // The server holds `end` bytes: go on from there (never past what we have).
        this.sent = Math.min(Math.max(0, end), this.log.size);
        return 'rewound';
      }
      case 403:
        return 'forbidden';
      case 404:
        this.traceGone = true;
        return 'gone';
      default:
        return 'failed';
    }
  }

  private async keepAlive(): Promise<void> {
    const response = await this.api.request('PUT', `jobs/${this.job.id}`, {
      json: { token: this.job.token, state: 'running', output: { checksum: this.log.checksum, bytesize: this.log.size } },
      jobToken: this.job.token,
    });
    this.observe(response);
  }

  /** Stops the periodic loop, sends every remaining byte, then the final state (§3 "Final update"). */
  async finish(final: FinalState): Promise<void> {
    this.finishing = true;
    this.stopLoop.abort();
    await this.loop;
    const backoff = new Backoff(1000, 60_000);
    for (let attempt = 1; attempt <= FINAL_UPDATE_ATTEMPTS; attempt++) {
      await this.flush();
      let response: ApiResponse;
      try {
        response = await this.api.request('PUT', `jobs/${this.job.id}`, {
          json: {
            token: this.job.token,
            state: final.state,
            ...(final.failureReason ? { failure_reason: final.failureReason } : {}),
            ...(final.exitCode ? { exit_code: final.exitCode } : {}),
            output: { checksum: this.log.checksum, bytesize: this.log.size },
          },
          jobToken: this.job.token,
        });
      } catch (error) {
        this.options.logger.warn({ job: this.job.id, err: errorMessage(error) }, 'final job update failed; retrying');
        await sleep(backoff.next());
        continue;
      }
      this.observe(response);
      if (response.status === 200 || response.status === 403 || response.status === 404) return;
      if (response.status === 202) {
        // Accepted but not final yet (the server is still persisting the log): ask again after its interval.
        await sleep(this.interval);
        continue;
      }
      if (response.status === 412) this.sent = 0;
      this.options.logger.warn({ job: this.job.id, status: response.status }, 'final job update refused; retrying');
      await sleep(backoff.next());
    }
    this.options.logger.error({ job: this.job.id }, 'gave up sending the final job state');
  }

  private async flush(): Promise<void> {
    const backoff = new Backoff(500, 10_000);
    let failures = 0;
    while (!this.traceGone && this.sent < this.log.size) {
      let outcome: PatchOutcome;
      try {
        outcome = await this.patch();
      } catch (error) {
        this.options.logger.warn({ job: this.job.id, err: errorMessage(error) }, 'trace upload failed');
        outcome = 'failed';
      }
      if (outcome === 'forbidden' || outcome === 'gone') return;
      // A server that keeps rewinding us makes no progress either: count it like a failure.
      if (outcome === 'rewound' && ++failures >= FINAL_UPDATE_ATTEMPTS) return;
      if (outcome === 'failed') {
        if (++failures >= FINAL_UPDATE_ATTEMPTS) return;
        await sleep(backoff.next());
      }
    }
  }
}
