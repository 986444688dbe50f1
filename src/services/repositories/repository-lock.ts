/** The last holder's release promise per repository path: the queue of pushes waiting for it. */
const tails = new Map<string, Promise<void>>();

/**
 * Waits until no other push in this process holds the repository, then holds it until `release()`.
 * Keyed by the repository's path, so two servers in one process (tests) never share a lock.
 * git's own ref locks keep the repository consistent across processes; this keeps one process's
 * pushes — and the events and default-branch changes that follow them — in order.
 */
export async function lockRepository(key: string): Promise<() => void> {
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
