/** Collects config errors (all of them, not only the first) and warnings, each under its key path. */
export class Problems {
  readonly errors: string[] = [];
  readonly warnings: string[] = [];

  /**
   * `error('jobs:build:script', 'config should be ...')` → "jobs:build:script config should be ...".
   * GitLab lower-cases the whole of an entry error, job names and values included.
   */
  error(path: string, message: string): void {
    const text = (path ? `${path} ${message}` : message).toLowerCase();
    if (!this.errors.includes(text)) this.errors.push(text);
  }

  /** A message that already carries its own wording (e.g. "Local file `x` does not exist!"). */
  plain(message: string): void {
    if (!this.errors.includes(message)) this.errors.push(message);
  }

  warn(message: string): void {
    if (!this.warnings.includes(message)) this.warnings.push(message);
  }

  get ok(): boolean {
    return this.errors.length === 0;
  }
}
