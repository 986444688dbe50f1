import fs from 'node:fs/promises';
import path from 'node:path';
import picomatch from 'picomatch';
import { runProcess } from './shell-process.js';

export interface ArtifactFile {
  /** Path inside the archive: relative to the project dir, forward slashes. */
  name: string;
  abs: string;
  kind: 'file' | 'dir' | 'symlink';
}

export interface FileSelection {
  paths: string[];
  exclude: string[];
  untracked: boolean;
}

const GLOB_OPTIONS = { dot: true };

/**
 * A pattern as a path relative to the project dir, or null when it points outside of it (gitlab-runner
 * refuses those with a warning). Absolute paths inside the project dir, e.g. `$CI_PROJECT_DIR/out`, are fine.
 */
export function relativePattern(projectDir: string, pattern: string): string | null {
  let p = pattern.trim();
  if (p === '') return null;
  if (path.isAbsolute(p)) {
    const rel = path.relative(projectDir, p);
    if (rel === '') return '.';
    if (rel.startsWith('..') || path.isAbsolute(rel)) return null;
    p = rel.split(path.sep).join('/');
  }
  p = path.posix.normalize(p).replace(/\/+$/, '');
  if (p === '..' || p.startsWith('../')) return null;
  return p === '' ? '.' : p;
}

async function lstat(file: string) {
  try {
    return await fs.lstat(file);
  } catch {
    return undefined;
  }
}

/** Every entry under `dir` (not following symlinks), with names relative to the project dir. */
async function walk(projectDir: string, dirName: string, out: Map<string, ArtifactFile>): Promise<void> {
  const abs = dirName === '.' ? projectDir : path.join(projectDir, dirName);
  let entries;
  try {
    entries = await fs.readdir(abs, { withFileTypes: true });
  } catch {
    return;
  }
  for (const entry of entries) {
    const name = dirName === '.' ? entry.name : `${dirName}/${entry.name}`;
    const full = path.join(abs, entry.name);
    if (entry.isSymbolicLink()) out.set(name, { name, abs: full, kind: 'symlink' });
    else if (entry.isDirectory()) {
      out.set(name, { name, abs: full, kind: 'dir' });
      await walk(projectDir, name, out);
    } else if (entry.isFile()) out.set(name, { name, abs: full, kind: 'file' });
  }
}

async function addPath(projectDir: string, name: string, out: Map<string, ArtifactFile>): Promise<boolean> {
  const abs = name === '.' ? projectDir : path.join(projectDir, name);
  const stat = await lstat(abs);
  if (!stat) return false;
  if (stat.isSymbolicLink()) out.set(name, { name, abs, kind: 'symlink' });
  else if (stat.isDirectory()) {
    if (name !== '.') out.set(name, { name, abs, kind: 'dir' });
    await walk(projectDir, name, out);
  } else if (stat.isFile()) out.set(name, { name, abs, kind: 'file' });
  else return false;
  return true;
}

async function untrackedFiles(projectDir: string, warn: (m: string) => void): Promise<string[]> {
  let output = '';
  const result = await runProcess('git', ['ls-files', '-o', '-z'], {
    cwd: projectDir,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/', GIT_TERMINAL_PROMPT: '0' },
    onOutput: (t) => (output += t),
  });
  if (result.exitCode !== 0) {
    warn('untracked: the project directory is not a git repository');
    return [];
  }
  return output.split('\0').filter((f) => f !== '');
}

/**
 * gitlab-runner's artifact file selection: each path is a glob (`**` too); a matching directory brings
 * all of its contents; `untracked` adds git's untracked files (ignored ones too); `exclude` then removes
 * files matching it or lying under a matching directory.
 */
export async function selectArtifactFiles(projectDir: string, spec: FileSelection, warn: (m: string) => void): Promise<ArtifactFile[]> {
  const chosen = new Map<string, ArtifactFile>();
  for (const raw of spec.paths) {
    const pattern = relativePattern(projectDir, raw);
    if (pattern === null) {
      warn(`${raw}: not within the project directory, skipped`);
      continue;
    }
    const scan = picomatch.scan(pattern);
    let matched = false;
    if (!scan.isGlob) matched = await addPath(projectDir, pattern, chosen);
    else {
      const base = scan.base === '' ? '.' : scan.base.replace(/\/+$/, '');
      const below = new Map<string, ArtifactFile>();
      if ((await lstat(path.join(projectDir, base)))?.isDirectory()) await walk(projectDir, base, below);
      const isMatch = picomatch(pattern, GLOB_OPTIONS);
      for (const entry of below.values()) {
        if (!isMatch(entry.name)) continue;
        matched = true;
        if (entry.kind === 'dir') await addPath(projectDir, entry.name, chosen);
        else chosen.set(entry.name, entry);
      }
    }
    if (!matched) warn(`${raw}: no matching files. Ensure that the artifact path is relative to the working directory (${projectDir})`);
  }
  if (spec.untracked) {
    for (const name of await untrackedFiles(projectDir, warn)) await addPath(projectDir, name, chosen);
  }
  const excluders = spec.exclude
    .map((raw) => relativePattern(projectDir, raw))
    .filter((p): p is string => p !== null)
    .map((p) => picomatch(p, GLOB_OPTIONS));
  const excluded = (name: string) => {
    const parts = name.split('/');
    for (let i = 1; i <= parts.length; i++) {
      const prefix = parts.slice(0, i).join('/');
      if (excluders.some((m) => m(prefix))) return true;
    }
    return false;
  };
  return [...chosen.values()].filter((f) => !excluded(f.name)).sort((a, b) => a.name.localeCompare(b.name));
}
