/**
 * Why a job stops early. `canceled` is GitLab's graceful cancel (Job-Status: canceling): the script is
 * stopped but after_script still runs. The others stop everything at once.
 */
export type Interruption = 'canceled' | 'aborted' | 'timeout' | 'interrupted';

export class JobControl {
  private readonly scriptController = new AbortController();
  private readonly hardController = new AbortController();
  private why: Interruption | undefined;

  /** Fires for any interruption: the running script or source fetch must stop. */
  get scriptSignal(): AbortSignal {
    return this.scriptController.signal;
  }

  /** Fires only for hard stops: after_script, uploads and downloads stop too. */
  get hardSignal(): AbortSignal {
    return this.hardController.signal;
  }

  get reason(): Interruption | undefined {
    return this.why;
  }

  cancelGracefully(): void {
    if (this.why) return;
    this.why = 'canceled';
    this.scriptController.abort();
  }

  /** A hard stop overrides a graceful cancel already in progress. */
  abort(reason: Exclude<Interruption, 'canceled'>): void {
    if (this.why && this.why !== 'canceled') return;
    this.why = reason;
    this.scriptController.abort();
    this.hardController.abort();
  }
}
