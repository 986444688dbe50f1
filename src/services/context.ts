import type { Store } from '../store/store.js';
import type { BlobStore } from '../blobs/blob-store.js';
import type { ConveyorEvents } from './events.js';
import type { BuildQueue } from './queue/build-queue.js';

export interface Clock {
  now(): Date;
}

export interface SecretSource {
  /** A fresh random token with the given prefix, e.g. `glpat-`. */
  token(prefix: string): string;
}

/** Everything a service needs from the outside world, injectable so tests can swap a clock or secrets. */
export interface ServiceContext {
  store: Store;
  clock: Clock;
  secrets: SecretSource;
  externalUrl: string;
  /** The data folder: repositories (and later logs and artifacts) live below it. */
  dataDir: string;
  events: ConveyorEvents;
  /** Logs and artifacts. */
  blobs: BlobStore;
  /** The pending-job version runners long-poll on. */
  queue: BuildQueue;
}

export const systemClock: Clock = { now: () => new Date() };

export function isoNow(ctx: { clock: Clock }): string {
  return ctx.clock.now().toISOString();
}
