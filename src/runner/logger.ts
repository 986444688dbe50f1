/** The subset of pino's logger the runner uses, so `conveyor up` can hand in its own logger. */
export interface RunnerLogger {
  info(obj: object | string, msg?: string): void;
  warn(obj: object | string, msg?: string): void;
  error(obj: object | string, msg?: string): void;
}

export const silentLogger: RunnerLogger = {
  info() {},
  warn() {},
  error() {},
};

export function errorMessage(error: unknown): string {
  if (error instanceof Error) {
    // fetch hides the interesting part (ECONNREFUSED, ...) in `cause`.
    const cause = (error as { cause?: unknown }).cause;
    return cause instanceof Error ? `${error.message}: ${cause.message}` : error.message;
  }
  return String(error);
}
