import fs from 'node:fs/promises';
import path from 'node:path';
import { buildScript, type ScriptOptions } from './shell-script.js';
import { runProcess, type ProcessResult } from './shell-process.js';

export interface ScriptStepContext {
  shell: string;
  projectDir: string;
  tmpDir: string;
  env: Record<string, string>;
  write: (text: string) => void;
}

/**
 * Runs a step's commands as one shell process (a script file, stdin closed) in the project directory.
 * The file lives in the job's tmp dir, outside the checkout, so `git clean` and artifacts never see it.
 */
export async function runScriptStep(
  name: string,
  commands: string[],
  ctx: ScriptStepContext,
  signal: AbortSignal,
  options: ScriptOptions = {},
): Promise<ProcessResult> {
  await fs.mkdir(ctx.tmpDir, { recursive: true, mode: 0o700 });
  const file = path.join(ctx.tmpDir, `${name}.sh`);
  await fs.writeFile(file, buildScript(commands, options), { mode: 0o700 });
  try {
    // Like gitlab-runner's shell executor: no profile or rc files, so a job sees only the variables it is given.
    const args = path.basename(ctx.shell) === 'bash' ? ['--noprofile', '--norc', file] : [file];
    return await runProcess(ctx.shell, args, { cwd: ctx.projectDir, env: ctx.env, onOutput: ctx.write, signal });
  } finally {
    await fs.rm(file, { force: true });
  }
}
