import path from 'node:path';
import type { JobPayload } from './job-payload.js';

/**
 * gitlab-runner's short token: the first 8 characters after the `glrt-` prefix (and the `t1_`-style
 * partition prefix newer GitLab puts after it), which names the runner's build folder.
 */
export function shortToken(token: string): string {
  let t = token;
  if (t.startsWith('glrt-')) t = t.slice(5);
  t = t.replace(/^t\d+_/, '');
  return t.slice(0, 8);
}

/** `group/project` from `http://…@host/group/project.git`; `project-<id>` when the URL says nothing usable. */
export function projectPath(job: JobPayload): string {
  const fallback = `project-${job.job_info?.project_id ?? job.id}`;
  const url = job.git_info?.repo_url;
  if (!url) return fallback;
  let pathname: string;
  try {
    pathname = decodeURIComponent(new URL(url).pathname);
  } catch {
    pathname = url;
  }
  const segments = pathname.replace(/\.git\/?$/, '').split('/').filter((s) => s !== '' && s !== '.');
  // The path becomes a folder under the builds dir: nothing may climb out of it.
  if (segments.length === 0 || segments.some((s) => s === '..' || s.includes('\0'))) return fallback;
  return segments.join('/');
}

export interface BuildDirs {
  buildsDir: string;
  projectDir: string;
  /** gitlab-runner's `<project dir>.tmp`: file variables and scratch files, outside the checkout. */
  tmpDir: string;
}

export function buildDirs(buildsDir: string, token: string, slot: number, job: JobPayload): BuildDirs {
  const projectDir = path.join(buildsDir, shortToken(token) || 'runner', String(slot), projectPath(job));
  return { buildsDir, projectDir, tmpDir: `${projectDir}.tmp` };
}
