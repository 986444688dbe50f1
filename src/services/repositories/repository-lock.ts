import { LockKind } from '../../store/advisory-locks.js';
import type { ServiceContext } from '../context.js';

/** The last holder's release promise per repository path: the queue of pushes waiting for it. */
const tails = new Map<string, Promise<void>>();

/**
 * Holds a project's repository for one writer across server processes sharing the data folder: this
 * process's queue first, then the database's advisory lock (held until `release()`), so two processes
 * never write one repository at once and pushes, with the events and default-branch changes that follow
 * them, stay in order.
 */
export async function lockRepository(ctx: ServiceContext, projectId: number, key: string): Promise<() => void> {
  const releaseLocal = await lockInProcess(key);
  let releaseShared!: () => void;
  try {
    await new Promise<void>((acquired, failed) => {
      const held = new Promise<void>((done) => {
        releaseShared = done;
      });
      ctx.store.locks.withLock(LockKind.repository, projectId, () => {
        acquired();
        return held;
      }).catch(failed);
    });
  } catch (error) {
    releaseLocal();
    throw error;
  }
  return () => {
    releaseShared();
    releaseLocal();
  };
}

/**
 * Waits until no other push in this process holds the repository, then holds it until `release()`.
 * Keyed by the repository's path, so two servers in one process (tests) never share a lock.
 */
async function lockInProcess(key: string): Promise<() => void> {
  const previous = tails.get(key) ?? Promise.resolve();
  let release!: () => void;
  const held = new Promise<void>((resolve) => {
    release = resolve;
  });
  const tail = previous.then(() => held);
  tails.set(key, tail);
  await previous;
  let released = false;
  return () => {
    if (released) return;
    released = true;
    release();
    if (tails.get(key) === tail) tails.delete(key);
  };
}
