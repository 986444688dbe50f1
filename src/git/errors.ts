/** A caller passed something git must never see: an unclean path, a malformed ref or object id. */
export class GitInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GitInputError';
  }
}

/** git itself failed in a way the caller cannot fix by changing its input (a broken repository, a missing binary). */
export class GitCommandError extends Error {
  constructor(
    readonly args: readonly string[],
    readonly exitCode: number | null,
    readonly stderr: string,
  ) {
    super(`git ${args[0] ?? ''} failed (${exitCode ?? 'signal'}): ${stderr.trim().slice(0, 500)}`);
    this.name = 'GitCommandError';
  }
}
