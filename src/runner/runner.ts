import { ApiClient } from './api-client.js';
import { runJob } from './job-runner.js';
import { resolveOptions, type ResolvedOptions, type RunnerOptions } from './options.js';
import { pollLoop } from './poller.js';

/**
 * Conveyor's built-in runner: `concurrent` slots, each polling POST /jobs/request and running the jobs
 * it gets with the shell executor. It knows the server only through gitlab-runner's HTTP protocol.
 */
export class Runner {
  readonly options: ResolvedOptions;
  private readonly api: ApiClient;
  private readonly stopPolling = new AbortController();
  private readonly interrupt = new AbortController();
  private slots: Promise<void>[] = [];
  private running = 0;

  constructor(options: RunnerOptions) {
    this.options = resolveOptions(options);
    this.api = new ApiClient(this.options.baseUrl);
  }

  /** Jobs running right now. */
  get activeJobs(): number {
    return this.running;
  }

  start(): void {
    if (this.slots.length > 0) return;
    this.options.logger.info({ url: this.options.baseUrl, concurrent: this.options.concurrent, systemId: this.options.systemId }, 'runner started');
    for (let slot = 0; slot < this.options.concurrent; slot++) {
      this.slots.push(
        pollLoop(this.api, this.options, this.stopPolling.signal, {
          runJob: async (job) => {
            this.running++;
            try {
              await runJob({ api: this.api, options: this.options, slot, interrupt: this.interrupt.signal }, job);
            } catch (error) {
              // runJob reports its own failures; this is a bug, and the slot must keep serving.
              this.options.logger.error({ slot, job: job.id, err: String(error) }, 'job crashed the runner slot');
            } finally {
              this.running--;
            }
          },
        }).catch((error: unknown) => this.options.logger.error({ slot, err: String(error) }, 'runner slot crashed')),
      );
    }
  }

  /**
   * Stops asking for jobs (an in-flight long poll is abandoned). Graceful: running jobs finish normally.
   * Otherwise they are interrupted: scripts are killed and each job is reported failed with
   * `runner_system_failure`, so the server does not wait for a job nobody runs.
   */
  async stop(options: { graceful?: boolean } = {}): Promise<void> {
    this.stopPolling.abort();
    if (!options.graceful) this.interrupt.abort();
    await Promise.all(this.slots);
    this.options.logger.info({}, 'runner stopped');
  }
}
