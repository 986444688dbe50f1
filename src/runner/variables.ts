import fs from 'node:fs/promises';
import path from 'node:path';
import type { JobVariable } from './job-payload.js';

function isSpecial(c: string): boolean {
  return '*#$@!?-0123456789'.includes(c);
}

function isNameChar(c: string): boolean {
  return /[A-Za-z0-9_]/.test(c);
}

/** Go's os.Expand, which gitlab-runner expands non-raw variables with (same edge cases on `$` and braces). */
export function expandValue(value: string, lookup: (name: string) => string): string {
  let out = '';
  let i = 0;
  for (let j = 0; j < value.length; j++) {
    if (value[j] !== '$' || j + 1 >= value.length) continue;
    out += value.slice(i, j);
    const rest = value.slice(j + 1);
    let name = '';
    let width = 0;
    if (rest[0] === '{') {
      if (rest.length > 2 && isSpecial(rest[1]) && rest[2] === '}') {
        name = rest[1];
        width = 3;
      } else {
        const close = rest.indexOf('}', 1);
        if (close === -1) width = 1; // "${" without an end: eaten
        else if (close === 1) width = 2; // "${}": eaten
        else {
          name = rest.slice(1, close);
          width = close + 1;
        }
      }
    } else if (isSpecial(rest[0])) {
      name = rest[0];
      width = 1;
    } else {
      while (width < rest.length && isNameChar(rest[width])) width++;
      name = rest.slice(0, width);
    }
    if (name === '' && width === 0) out += '$';
    else if (name !== '') out += lookup(name);
    j += width;
    i = j + 1;
  }
  return out + value.slice(i);
}

/** A job's variables with gitlab-runner's lookup rules: the last definition wins, file variables read as their path. */
export class VariableSet {
  constructor(
    readonly list: JobVariable[],
    private readonly tmpDir: string,
  ) {}

  /** The value, or for a file variable the path of its file. */
  get(key: string): string {
    if (key === '$') return '$';
    if (key.length === 1 && '*#@!?0123456789'.includes(key)) return '';
    for (let i = this.list.length - 1; i >= 0; i--) {
      const v = this.list[i];
      if (v.key === key) return v.file ? this.filePath(v.key) : v.value;
    }
    return '';
  }

  has(key: string): boolean {
    return this.list.some((v) => v.key === key);
  }

  /** gitlab-runner's Bool: true/false words, or the number 1. */
  bool(key: string, fallback: boolean): boolean {
    if (!this.has(key)) return fallback;
    const value = this.get(key).toLowerCase();
    if (['1', 't', 'true'].includes(value)) return true;
    if (['0', 'f', 'false'].includes(value)) return false;
    return /^[+-]?\d+$/.test(value) ? Number(value) === 1 : false;
  }

  filePath(key: string): string {
    return path.join(this.tmpDir, key);
  }

  /** Non-raw values expanded once against the whole set (not recursively), as gitlab-runner does. */
  expanded(): VariableSet {
    const lookup = (name: string) => this.get(name);
    return new VariableSet(
      this.list.map((v) => (v.raw ? v : { ...v, value: expandValue(v.value, lookup) })),
      this.tmpDir,
    );
  }

  with(extra: JobVariable[]): VariableSet {
    return new VariableSet([...this.list, ...extra], this.tmpDir);
  }

  maskedValues(): string[] {
    return this.list.filter((v) => v.masked).map((v) => v.value);
  }

  /** Writes file variables where their path says; the directory is private to the job. */
  async writeFiles(): Promise<void> {
    const files = new Map<string, string>();
    for (const v of this.list) if (v.file) files.set(v.key, v.value);
    if (files.size === 0) return;
    await fs.mkdir(this.tmpDir, { recursive: true, mode: 0o700 });
    for (const [key, value] of files) {
      if (!isValidName(key)) continue;
      await fs.writeFile(this.filePath(key), value, { mode: 0o600 });
    }
  }

  /** The process environment: a few of the runner's own variables, then the job's (the last definition wins). */
  environment(base: NodeJS.ProcessEnv = process.env): Record<string, string> {
    const env: Record<string, string> = {};
    for (const key of INHERITED) {
      const value = base[key];
      if (value !== undefined) env[key] = value;
    }
    for (const v of this.list) {
      if (!isValidName(v.key) || v.value.includes('\0')) continue;
      env[v.key] = v.file ? this.filePath(v.key) : v.value;
    }
    return env;
  }
}

/** What a login shell would have; the rest of the runner's environment (server secrets) stays out of jobs. */
const INHERITED = ['PATH', 'HOME', 'USER', 'LOGNAME', 'SHELL', 'LANG', 'LANGUAGE', 'LC_ALL', 'LC_CTYPE', 'TERM', 'TZ', 'TMPDIR'];

export function isValidName(key: string): boolean {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(key);
}

export interface RunnerVariableFacts {
  buildsDir: string;
  projectDir: string;
  tmpDir: string;
  slot: number;
  timeoutSeconds: number;
  shortToken: string;
  version: string;
  revision: string;
  arch: string;
}

/** The variables a runner sets itself; they go before the job's so the server could override them. */
export function runnerVariables(f: RunnerVariableFacts): JobVariable[] {
  const v = (key: string, value: string): JobVariable => ({ key, value, public: true, masked: false });
  return [
    v('CI_BUILDS_DIR', f.buildsDir),
    v('CI_PROJECT_DIR', f.projectDir),
    v('CI_CONCURRENT_ID', String(f.slot)),
    v('CI_CONCURRENT_PROJECT_ID', String(f.slot)),
    v('CI_SERVER', 'yes'),
    v('CI_JOB_STATUS', 'running'),
    v('CI_JOB_TIMEOUT', String(f.timeoutSeconds)),
    v('CI_SHARED_ENVIRONMENT', 'true'),
    v('CI_RUNNER_VERSION', f.version),
    v('CI_RUNNER_REVISION', f.revision),
    v('CI_RUNNER_EXECUTABLE_ARCH', f.arch),
    v('CI_RUNNER_SHORT_TOKEN', f.shortToken),
    v('RUNNER_TEMP_PROJECT_DIR', f.tmpDir),
  ];
}
