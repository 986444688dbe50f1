/** The real `git` CLI for tests: isolated from the machine's config, never prompting, never throwing. */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Every folder made here goes when the test process ends, whatever the tests did with it. */
const created: string[] = [];
process.on('exit', () => {
  for (const dir of created) fs.rmSync(dir, { recursive: true, force: true });
});

export function tempDir(prefix = 'conveyor-git-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  created.push(dir);
  return dir;
}

const HOME = tempDir('conveyor-git-home-');

/** No credential helper, no askpass, no terminal prompt: a refused request fails at once. */
const ENV: NodeJS.ProcessEnv = {
  PATH: process.env.PATH,
  HOME,
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_TERMINAL_PROMPT: '0',
  LC_ALL: 'C',
};

const CONFIG = ['-c', 'credential.helper=', '-c', 'user.name=Conveyor Test', '-c', 'user.email=test@conveyor.test', '-c', 'init.defaultBranch=main'];

export function gitCli(args: string[], options: { cwd?: string; env?: Record<string, string> } = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile('git', [...CONFIG, ...args], { cwd: options.cwd, env: { ...ENV, ...options.env }, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** Like gitCli, but a failure fails the test with git's own words. */
export async function gitOk(args: string[], options: { cwd?: string; env?: Record<string, string> } = {}): Promise<string> {
  const result = await gitCli(args, options);
  if (result.code !== 0) throw new Error(`git ${args.join(' ')} failed (${result.code}):\n${result.stderr}${result.stdout}`);
  return result.stdout;
}

/** A clone URL with `username:token@` for HTTP Basic. */
export function gitUrl(baseUrl: string, fullPath: string, credentials?: { username?: string; token: string }): string {
  const url = new URL(`${baseUrl}/${fullPath}.git`);
  if (credentials) {
    url.username = credentials.username ?? 'oauth2';
    url.password = credentials.token;
  }
  return url.toString();
}

/** A fresh work tree with one commit per call to `commit`. */
export class WorkTree {
  readonly dir = tempDir('conveyor-work-');

  static async create(): Promise<WorkTree> {
    const tree = new WorkTree();
    await gitOk(['init', '--quiet', tree.dir]);
    return tree;
  }

  git(args: string[], env?: Record<string, string>): Promise<CliResult> {
    return gitCli(args, { cwd: this.dir, env });
  }

  async commit(file: string, content: string, message = `change ${file}`, env?: Record<string, string>): Promise<string> {
    fs.mkdirSync(path.dirname(path.join(this.dir, file)), { recursive: true });
    fs.writeFileSync(path.join(this.dir, file), content);
    await gitOk(['add', '--', file], { cwd: this.dir });
    await gitOk(['commit', '--quiet', '-m', message], { cwd: this.dir, env });
    return (await gitOk(['rev-parse', 'HEAD'], { cwd: this.dir })).trim();
  }

  remove(): void {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
