import { EventEmitter } from 'node:events';

/** A ref a push changed: `before`/`after` are 40-hex shas, the null sha for creations and deletions. */
export interface RefUpdate {
  ref: string;
  before: string;
  after: string;
}

export interface PushEvent {
  projectId: number;
  userId: number;
  updates: RefUpdate[];
  /** `git push -o` options, e.g. `ci.skip`, `ci.variable=KEY=VALUE`. */
  pushOptions: string[];
}

export interface JobStatusEvent {
  /** Set on events replayed from another server process (services/cluster-events.ts). */
  remote?: boolean;
  jobId: number;
  type: 'build' | 'bridge';
  pipelineId: number;
  projectId: number;
  from: string;
  to: string;
}

export interface PipelineStatusEvent {
  pipelineId: number;
  projectId: number;
  status: string;
}

/** A job's artifacts and log were erased; blob storage deletes the listed keys. */
export interface JobErasedEvent {
  jobId: number;
  projectId: number;
  artifacts: string[];
}

/** A runner was created, changed or removed: cached tokens and queue versions are stale. */
export interface RunnerChangedEvent {
  remote?: boolean;
  runnerId: number;
}

/** New bytes of a job's log are stored (live log streams listen). */
export interface TraceAppendedEvent {
  remote?: boolean;
  jobId: number;
  size: number;
}

/** Someone reads a job's log: runners are told to send it more often for `forMs` (trace-watchers). */
export interface TraceWatchedEvent {
  remote?: boolean;
  jobId: number;
  forMs: number;
}

interface EventMap {
  push: [PushEvent];
  'job-status': [JobStatusEvent];
  'pipeline-status': [PipelineStatusEvent];
  'job-erased': [JobErasedEvent];
  'runner-changed': [RunnerChangedEvent];
  'trace-appended': [TraceAppendedEvent];
  'trace-watched': [TraceWatchedEvent];
}

/**
 * In-process events between services: a push leads to pipelines, a job's change to pipeline processing,
 * live logs and long polls. Listeners must not throw; failures are theirs to log.
 */
export class ConveyorEvents extends EventEmitter<EventMap> {
  private readonly pending = new Set<Promise<unknown>>();
  private closing = false;

  constructor() {
    super();
    this.setMaxListeners(0);
  }

  /**
   * Runs work a listener started (pipelines for a push, a bridge's downstream) so that shutdown can wait
   * for it; after `drain` begins, new work is not started (the database is about to close).
   */
  track(work: () => Promise<unknown>): void {
    if (this.closing) return;
    const running = work().finally(() => this.pending.delete(running));
    this.pending.add(running);
  }

  /** Stops accepting work and waits for what is in flight. */
  async drain(): Promise<void> {
    this.closing = true;
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }
}
