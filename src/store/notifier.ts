import pg from 'pg';

/**
 * Messages between server processes sharing one database: PostgreSQL's LISTEN/NOTIFY. With SQLite there
 * is only ever one process, so nothing travels.
 */
export interface Notifier {
  /** Whether other processes can hear this one (false for SQLite's single process). */
  readonly crossProcess: boolean;
  publish(payload: string): Promise<void>;
  /**
   * Starts listening; `onMessage` sees every payload published on the channel, this process's own included.
   * `onRelisten` runs each time listening resumes after the connection was lost: what was published
   * meanwhile never arrives.
   */
  listen(onMessage: (payload: string) => void, onRelisten?: () => void): Promise<void>;
  close(): Promise<void>;
}

export const silentNotifier: Notifier = {
  crossProcess: false,
  publish: async () => undefined,
  listen: async () => undefined,
  close: async () => undefined,
};

const CHANNEL = 'conveyor_events';

/**
 * LISTEN on a connection of its own (a pooled one would be handed to queries); reconnects with backoff when
 * PostgreSQL goes away, so a restarted database brings cross-process events back without a restart.
 */
export function postgresNotifier(url: string, pool: pg.Pool, log: (error: unknown) => void = () => undefined): Notifier {
  let client: pg.Client | null = null;
  let closed = false;
  let handler: ((payload: string) => void) | null = null;
  let onRelisten: (() => void) | undefined;
  let listenedBefore = false;
  let retry: NodeJS.Timeout | null = null;

  const connect = async (delayMs = 250): Promise<void> => {
    if (closed || !handler) return;
    const next = new pg.Client({ connectionString: url });
    next.on('notification', (message) => {
      if (message.channel === CHANNEL && message.payload !== undefined) handler?.(message.payload);
    });
    const reconnect = (error?: unknown) => {
      if (error) log(error);
      if (client !== next || closed) return;
      client = null;
      next.removeAllListeners('error');
      next.on('error', () => undefined);
      void next.end().catch(() => undefined);
      retry = setTimeout(() => void connect(Math.min(delayMs * 2, 5000)), delayMs);
      retry.unref();
    };
    next.on('error', reconnect);
    next.on('end', () => reconnect());
    client = next;
    try {
      await next.connect();
      await next.query(`LISTEN ${CHANNEL}`);
      if (listenedBefore) onRelisten?.();
      listenedBefore = true;
    } catch (error) {
      reconnect(error);
    }
  };

  return {
    crossProcess: true,
    async publish(payload) {
      await pool.query('SELECT pg_notify($1, $2)', [CHANNEL, payload]);
    },
    async listen(onMessage, relisten) {
      handler = onMessage;
      onRelisten = relisten;
      await connect();
    },
    async close() {
      closed = true;
      if (retry) clearTimeout(retry);
      const current = client;
      client = null;
      await current?.end().catch(() => undefined);
    },
  };
}
