import { parseJson, type ApiClient } from './api-client.js';
import { Backoff, serverDelay, sleep } from './backoff.js';
import { parseJobPayload, type JobPayload } from './job-payload.js';
import { errorMessage } from './logger.js';
import type { ResolvedOptions } from './options.js';
import { runnerInfo } from './runner-info.js';

export type RequestResult =
  | { kind: 'job'; job: JobPayload }
  | { kind: 'none' }
  /** Wait this long before asking again (errors, rate limits, a 403). */
  | { kind: 'retry'; delay?: number; reason: string };

/** A long poll is held up to ~50 s by the server; the request must outlive it comfortably. */
const REQUEST_TIMEOUT = 5 * 60_000;

/** One concurrency slot's conversation with POST /jobs/request, keeping `last_update` between requests. */
export class JobRequester {
  private lastUpdate = '';

  constructor(
    private readonly api: ApiClient,
    private readonly options: ResolvedOptions,
  ) {}

  async request(signal: AbortSignal): Promise<RequestResult> {
    const body: Record<string, unknown> = { token: this.options.token, system_id: this.options.systemId, info: runnerInfo(this.options.shell) };
    if (this.options.longPoll && this.lastUpdate) body.last_update = this.lastUpdate;
    let response;
    try {
      // No automatic retries here: the poll loop's backoff handles every failure in one place.
      response = await this.api.once('POST', 'jobs/request', { json: body, timeoutMs: REQUEST_TIMEOUT, signal });
    } catch (error) {
      return { kind: 'retry', reason: `network error: ${errorMessage(error)}` };
    }
    const update = response.headers.get('x-gitlab-last-update');
    if (update) this.lastUpdate = update;
    switch (response.status) {
      case 201: {
        const payload = parseJson<unknown>(response);
        try {
          return { kind: 'job', job: parseJobPayload(payload) };
        } catch (error) {
          // The server now thinks the job is ours; like gitlab-runner we can only log it.
          return { kind: 'retry', reason: `unreadable job payload: ${errorMessage(error)}` };
        }
      }
      case 204:
        return { kind: 'none' };
      case 403:
        return { kind: 'retry', reason: 'forbidden: the runner token is invalid or the runner was removed' };
      default:
        return { kind: 'retry', delay: serverDelay(response.headers), reason: `status ${response.status}` };
    }
  }
}

export interface PollHooks {
  /** Runs a job to its end; the loop asks for the next one right after. */
  runJob: (job: JobPayload) => Promise<void>;
}

/** The loop of one slot: ask, run, ask again; wait check_interval after a 204, back off after failures. */
export async function pollLoop(api: ApiClient, options: ResolvedOptions, stop: AbortSignal, hooks: PollHooks): Promise<void> {
  const requester = new JobRequester(api, options);
  const backoff = new Backoff();
  while (!stop.aborted) {
    const result = await requester.request(stop);
    if (result.kind === 'job') {
      // Even when stopping: the server has assigned it to us, and only we can finish (or fail) it.
      backoff.reset();
      await hooks.runJob(result.job);
      continue;
    }
    if (stop.aborted) break;
    if (result.kind === 'none') {
      backoff.reset();
      await sleep(options.checkInterval, stop);
      continue;
    }
    const delay = result.delay ?? backoff.next();
    options.logger.warn({ reason: result.reason, retryInMs: delay }, 'checking for jobs failed');
    await sleep(delay, stop);
  }
}
