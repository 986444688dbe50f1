import type { FastifyInstance } from 'fastify';

/**
 * Route handlers still running. Node's HTTP server stops waiting for a request once its client hangs up,
 * but the handler goes on (a runner's job request may have started a job and be building its payload), so
 * a shutdown waits for these before it closes the store.
 */
export class InFlightHandlers {
  #running = 0;
  #whenIdle: Array<() => void> = [];

  add(work: Promise<unknown>): void {
    this.#running++;
    const settled = () => {
      if (--this.#running === 0) for (const wake of this.#whenIdle.splice(0)) wake();
    };
    work.then(settled, settled);
  }

  /** Waits for the running handlers, but not past `limitMs`: one waiting on a body that never ends must not hold a shutdown forever. */
  async drain(limitMs = 10_000): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const limit = new Promise<void>((resolve) => (timer = setTimeout(resolve, limitMs)));
    const all = this.#running === 0 ? Promise.resolve() : new Promise<void>((resolve) => this.#whenIdle.push(resolve));
    await Promise.race([all, limit]);
    clearTimeout(timer);
  }
}

/** Tracks every route's handler registered after this call. */
export function registerInFlightTracking(app: FastifyInstance): void {
  app.decorate('inFlight', new InFlightHandlers());
  app.addHook('onRoute', (route) => {
    const handler = route.handler;
    route.handler = function trackedHandler(this: FastifyInstance, request, reply) {
      const result = handler.call(this, request, reply) as unknown;
      if (result instanceof Promise) app.inFlight.add(result);
      return result as ReturnType<typeof handler>;
    };
  });
}
