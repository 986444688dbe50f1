import { spawn } from 'node:child_process';
import { GitCommandError } from './errors.js';

/**
 * The environment every git process gets: none of the server's own variables (secrets such as
 * CONVEYOR_ROOT_TOKEN stay out of hooks), and none of the account's git configuration, because a
 * global `core.hooksPath` would silently switch off our hooks and `init.defaultBranch` would change HEAD.
 * GIT_CONFIG_GLOBAL needs git 2.32 or later.
 */
export function gitEnvironment(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_TERMINAL_PROMPT: '0',
    LC_ALL: 'C',
    ...extra,
  };
}

export interface GitResult {
  code: number;
  stdout: Buffer;
  stderr: string;
}

export interface RunOptions {
  input?: string | Buffer;
  /** Output beyond this is an error rather than memory we keep (default 256 MiB). */
  maxBytes?: number;
}

/** Runs `git <args>` (no shell) and collects its output; a non-zero exit is the caller's to judge. */
export function runGit(args: string[], options: RunOptions = {}): Promise<GitResult> {
  const maxBytes = options.maxBytes ?? 256 * 1024 * 1024;
  return new Promise((resolve, reject) => {
    const child = spawn('git', args, { env: gitEnvironment(), stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let size = 0;
    let overflow = false;
    child.stdout.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        overflow = true;
        child.kill('SIGKILL');
        return;
      }
      out.push(chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      if (err.length < 64) err.push(chunk);
    });
    child.on('error', (error) => reject(new GitCommandError(args, null, error.message)));
    child.on('close', (code) => {
      const stderr = Buffer.concat(err).toString('utf8');
      if (overflow) return reject(new GitCommandError(args, code, `output larger than ${maxBytes} bytes`));
      resolve({ code: code ?? -1, stdout: Buffer.concat(out), stderr });
    });
    // A child that exits before reading all its input must not crash us with EPIPE.
    child.stdin.on('error', () => {});
    child.stdin.end(options.input ?? '');
  });
}

/** Like runGit, but any non-zero exit throws. */
export async function git(args: string[], options: RunOptions = {}): Promise<Buffer> {
  const result = await runGit(args, options);
  if (result.code !== 0) throw new GitCommandError(args, result.code, result.stderr);
  return result.stdout;
}
