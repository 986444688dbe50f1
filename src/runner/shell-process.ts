import { spawn } from 'node:child_process';
import { StringDecoder } from 'node:string_decoder';

export interface ProcessResult {
  /** Exit code, or null when a signal ended the process or it never started. */
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  /** Set when the process could not be started (e.g. ENOENT). */
  error?: Error;
  /** The abort signal fired while it ran. */
  interrupted: boolean;
}

export interface ProcessOptions {
  cwd: string;
  env: Record<string, string>;
  onOutput: (text: string) => void;
  /** Aborting kills the whole process group: TERM, then KILL after `killGraceMs`. */
  signal?: AbortSignal;
  killGraceMs?: number;
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // the group is already gone
  }
}

/**
 * Runs a command in its own process group so a cancel reaches everything it started (a `sleep 30`
 * inside a script too), and so nothing it left behind outlives the step.
 */
export function runProcess(command: string, args: string[], options: ProcessOptions): Promise<ProcessResult> {
  return new Promise((resolve) => {
    let interrupted = false;
    let settled = false;
    let killTimer: NodeJS.Timeout | undefined;
    const child = spawn(command, args, { cwd: options.cwd, env: options.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    const decoders = [new StringDecoder('utf8'), new StringDecoder('utf8')];
    child.stdout!.on('data', (chunk: Buffer) => options.onOutput(decoders[0].write(chunk)));
    child.stderr!.on('data', (chunk: Buffer) => options.onOutput(decoders[1].write(chunk)));

    const onAbort = () => {
      if (child.pid === undefined || settled) return;
      interrupted = true;
      killGroup(child.pid, 'SIGTERM');
      killTimer = setTimeout(() => killGroup(child.pid!, 'SIGKILL'), options.killGraceMs ?? 3000);
      killTimer.unref();
    };
    if (options.signal?.aborted) queueMicrotask(onAbort);
    else options.signal?.addEventListener('abort', onAbort, { once: true });

    const finish = (result: Omit<ProcessResult, 'interrupted'>) => {
      if (settled) return;
      settled = true;
      if (killTimer) clearTimeout(killTimer);
      options.signal?.removeEventListener('abort', onAbort);
      for (const decoder of decoders) {
        const rest = decoder.end();
        if (rest) options.onOutput(rest);
      }
      resolve({ ...result, interrupted });
    };

    child.once('error', (error) => finish({ exitCode: null, signal: null, error }));
    child.once('exit', (exitCode, signal) => {
      // Whatever the step left running in its group goes with it; its pipes then close promptly.
      if (child.pid !== undefined) killGroup(child.pid, 'SIGKILL');
      const streamsClosed = Promise.all(
        [child.stdout!, child.stderr!].map((s) => (s.readableEnded || s.destroyed ? null : new Promise((r) => s.once('close', r)))),
      );
      const cap = new Promise((r) => setTimeout(r, 2000).unref());
      void Promise.race([streamsClosed, cap]).then(() => {
        child.stdout!.destroy();
        child.stderr!.destroy();
        finish({ exitCode, signal });
      });
    });
  });
}
