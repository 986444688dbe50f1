import crypto from 'node:crypto';
import type { Notifier } from '../store/notifier.js';
import type { ServiceContext } from './context.js';
import { wakesRunners } from './queue/build-queue.js';

/**
 * The events other server processes must hear: a job becoming pending wakes their long-polling runners, a
 * status change or a cancel reaches the process holding the runner's next request, log appends reach their
 * live streams, a log's readers shorten its runner's patch interval wherever the runner calls, and runner
 * changes evict their caches. Everything else stays in the process that did the work, so work is never
 * done twice.
 */
const SHARED_EVENTS = ['job-status', 'trace-appended', 'trace-watched', 'runner-changed'] as const;
type SharedEvent = (typeof SHARED_EVENTS)[number];
/** A message that only moves every process's queue version to its id. */
const QUEUE_VERSION = 'queue-version';

interface Envelope {
  /** Unique per message; every process sees the same sequence, so it doubles as the shared queue version. */
  id: string;
  origin: string;
  name: SharedEvent | typeof QUEUE_VERSION;
  payload: Record<string, unknown>;
}

/**
 * Forwards this process's shared events to the others and replays theirs here marked `remote: true`;
 * listeners that act (start a bridge, process a pipeline) ignore remote events, listeners that only watch
 * (long polls, log streams, caches) take both.
 */
export async function bridgeEvents(ctx: ServiceContext, notifier: Notifier, log: (error: unknown) => void): Promise<void> {
  // One process (SQLite): nothing travels, so nothing is wrapped (a random id per event cost a system call).
  if (!notifier.crossProcess) return;
  const origin = crypto.randomBytes(8).toString('hex');
  let sequence = 0;
  // Unique across processes without a system call per message: this process's random origin and a counter.
  const nextId = () => `${origin}.${(sequence += 1)}`;
  for (const name of SHARED_EVENTS) {
    ctx.events.on(name, (payload: { remote?: boolean }) => {
      if (payload.remote) return;
      const envelope: Envelope = { id: nextId(), origin, name, payload: payload as Record<string, unknown> };
      notifier.publish(JSON.stringify(envelope)).catch(log);
    });
  }
  // A process starts with a version of its own: until some event moved every process to a common one, a
  // runner alternating between it and the others would bring a stale version to each poll and never be held.
  // After the LISTEN connection was lost, this process may have missed the events that woke the others
  // (a job became pending elsewhere): a new common version sends every runner back to the queue.
  const announceVersion = () => {
    const hello: Envelope = { id: nextId(), origin, name: QUEUE_VERSION, payload: {} };
    return notifier.publish(JSON.stringify(hello)).catch(log);
  };
  await notifier.listen((message) => {
    let envelope: Envelope;
    try {
      envelope = JSON.parse(message) as Envelope;
    } catch {
      return;
    }
    if (envelope.name === QUEUE_VERSION) {
      ctx.queue.tickTo(envelope.id);
      return;
    }
    if (!(SHARED_EVENTS as readonly string[]).includes(envelope.name)) return;
    // Our own messages too: PostgreSQL delivers one order to every listener, so every process lands on the same version.
    if (envelope.name === 'runner-changed' || (envelope.name === 'job-status' && wakesRunners(envelope.payload as never))) ctx.queue.tickTo(envelope.id);
    if (envelope.origin === origin) return;
    ctx.events.emit(envelope.name, Object.assign({}, envelope.payload, { remote: true }) as never);
  }, () => {
    // Ticked here too: the NOTIFY may not make it while the database is still coming back.
    ctx.queue.tickTo(nextId());
    void announceVersion();
  });
  await announceVersion();
}
