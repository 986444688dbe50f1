import { isNullSha, isObjectId } from '../../git/refs.js';
import type { RefUpdate } from '../events.js';

export interface PushReport {
  updates: RefUpdate[];
  pushOptions: string[];
}

/** Reads what the post-receive hook wrote: `option <text>` and `update <before> <after> <ref>` lines. */
export function parsePushReport(text: string): PushReport {
  const report: PushReport = { updates: [], pushOptions: [] };
  for (const line of text.split('\n')) {
    if (line.startsWith('option ')) {
      report.pushOptions.push(line.slice('option '.length));
    } else if (line.startsWith('update ')) {
      const [before, after, ref] = line.slice('update '.length).split(' ');
      if (before && after && ref && isObjectId(before) && isObjectId(after)) report.updates.push({ ref, before, after });
    }
  }
  return report;
}

/**
 * The branch an empty repository's first push makes the default: the project's chosen default when
 * that branch came in this push, else the first branch created.
 */
export function firstDefaultBranch(updates: RefUpdate[], preferred: string | null): string | null {
  const created = updates
    .filter((u) => u.ref.startsWith('refs/heads/') && isNullSha(u.before) && !isNullSha(u.after))
    .map((u) => u.ref.slice('refs/heads/'.length));
  if (preferred && created.includes(preferred)) return preferred;
  return created[0] ?? null;
}
