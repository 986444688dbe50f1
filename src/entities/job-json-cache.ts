import crypto from 'node:crypto';
import type { JobKeys, ShownJob } from '../store/jobs-repository.js';
import { artifactsFields, jobEntity, linkedEntity, newJobEntityMemo, type JobEntityMemo, type JobView, type LinkedEntityKind } from './job.js';
import type { RenderContext } from './render-context.js';

/** A JSON value serialized ahead, in parts the HTTP layer writes one after another. */
export class JsonParts {
  constructor(readonly parts: readonly Buffer[]) {}
}

/** Where a kept Job entity takes what is not the job's own: what it links to, and its artifacts. */
type Hole = LinkedEntityKind | 'artifacts';

export interface KeptJob {
  lockVersion: number;
  projectPath: string;
  /** The entity's JSON, its own parts as bytes, with the holes between them. */
  parts: ReadonlyArray<Buffer | Hole>;
  /** A hole for the commit: it had none when kept. A commit row never changes, so a kept one is part of the JSON. */
  commitHole: boolean;
}

/** Unguessable, so that no stored string can pass for a mark. */
const NONCE = crypto.randomBytes(12).toString('hex');
const MARK = `\u0000job-${NONCE}:`;
const MARKS = new RegExp(`"\\\\u0000job-${NONCE}:(user|commit|pipeline|runner|runnerManager)"`, 'g');
/**
 * The artifacts of a job with none, the form a kept job is rendered in. Found by text: a `,"` cannot occur
 * inside a JSON string (its quotes are escaped), so this is the entity's own key and appears once.
 */
const NO_ARTIFACTS = ',"artifacts":[]';
const NO_ARTIFACTS_BYTES = Buffer.from(NO_ARTIFACTS);
const NULL_BYTES = Buffer.from('null');

/** Stand-ins for what a job links to, which the template memo maps to marks without building anything. */
const PLACEHOLDERS: Record<LinkedEntityKind, object> = { user: {}, commit: {}, pipeline: {}, runner: {}, runnerManager: {} };

/**
 * The API's Job entities of settled jobs (finished, or not yet queued), kept as JSON between requests:
 * most of a job list's time went to reading each job's two dozen columns and building and serializing its
 * entity, for jobs that do not change again. A kept entity is used while the row's lock_version (moved by every update of the row,
 * whichever process made it) and the project's path are those it was rendered with; a list then reads
 * only the jobs' keys. What the entity shows of other records (user, commit, pipeline, runner, runner
 * manager, artifacts) is never kept: each reply fills it in from the records it loaded. Jobs whose
 * entity moves with the clock (`duration` of a running job) and bridges (their downstream pipeline) are
 * rendered every time.
 */
export class JobJsonCache {
  readonly #kept = new Map<number, KeptJob>();

  constructor(
    private readonly rc: RenderContext,
    /** ~1.3 KB each: 10,000 jobs (a hundred pages of a hundred) keep ~15 MB. */
    private readonly capacity = 10_000,
  ) {}

  /** Forgets every kept entity (tests compare with fresh renderings this way). */
  clear(): void {
    this.#kept.clear();
  }

  /** The kept rendering of this job, if it matches the row's lock version and the project's path. */
  lookup(job: JobKeys, projectPath: string): KeptJob | undefined {
    const kept = this.#kept.get(job.id);
    return kept && kept.lockVersion === job.lockVersion && kept.projectPath === projectPath ? kept : undefined;
  }

  /** The job's Job entity; kept for the next reply when only an update of the row can change it. */
  render(view: JobView<ShownJob>, now: Date, memo: JobEntityMemo): JsonParts | Record<string, unknown> {
    const parts = isSettled(view.job) ? this.#template(view, now) : undefined;
    if (!parts) return jobEntity(view, this.rc, now, memo);
    const kept: KeptJob = { lockVersion: view.job.lockVersion, projectPath: view.projectPath, parts, commitHole: view.commit === null };
    this.#kept.delete(view.job.id);
    if (this.#kept.size >= this.capacity) this.#kept.delete(this.#kept.keys().next().value!);
    this.#kept.set(view.job.id, kept);
    return this.fill(kept, view, now, memo);
  }

  /** A kept entity with this reply's linked entities (the memo's) and artifacts in its holes. */
  fill(kept: KeptJob, view: JobView<JobKeys>, now: Date, memo: JobEntityMemo): JsonParts {
    const parts: Buffer[] = [];
    for (const part of kept.parts) {
      if (typeof part !== 'string') parts.push(part);
      else if (part === 'artifacts') {
        parts.push(view.artifacts.length === 0 ? NO_ARTIFACTS_BYTES : Buffer.from(`,${JSON.stringify(artifactsFields(view, now)).slice(1, -1)}`));
      } else {
        const entity = linkedEntity[part](view, this.rc, now, memo);
        parts.push(entity === null ? NULL_BYTES : memo.shared ? memo.shared.bytesOf(entity) : Buffer.from(JSON.stringify(entity)));
      }
    }
    return new JsonParts(parts);
  }

  /**
   * The entity's JSON with marks where the linked entities go (the commit's own JSON when there is one)
   * and no artifacts, cut at those places.
   */
  #template(view: JobView<ShownJob>, now: Date): Array<Buffer | Hole> | undefined {
    const mark = (kind: LinkedEntityKind) => new Map<any, unknown>([[PLACEHOLDERS[kind], MARK + kind]]);
    const commits = view.commit === null ? mark('commit') : new Map();
    const memo: JobEntityMemo = { users: mark('user'), commits, pipelines: mark('pipeline'), runners: mark('runner'), runnerManagers: mark('runnerManager') };
    const { commit: _commit, ...others } = PLACEHOLDERS;
    const marked = { ...view, ...((view.commit === null ? PLACEHOLDERS : others) as Partial<JobView<ShownJob>>), artifacts: [] };
    const json = JSON.stringify(jobEntity(marked, this.rc, now, memo));
    const artifactsAt = json.indexOf(NO_ARTIFACTS);
    if (artifactsAt < 0) return undefined;
    const cuts: Array<{ at: number; end: number; hole: Hole }> = [{ at: artifactsAt, end: artifactsAt + NO_ARTIFACTS.length, hole: 'artifacts' }];
    for (const match of json.matchAll(MARKS)) cuts.push({ at: match.index, end: match.index + match[0].length, hole: match[1] as LinkedEntityKind });
    cuts.sort((a, b) => a.at - b.at);
    // One allocation per job, the parts views of it (offsets in bytes: the JSON may hold multi-byte characters).
    const bytes = Buffer.from(json);
    const at = (index: number) => Buffer.byteLength(json.slice(0, index));
    const parts: Array<Buffer | Hole> = [];
    let from = 0;
    for (const cut of cuts) {
      const start = at(cut.at);
      if (start > from) parts.push(bytes.subarray(from, start));
      parts.push(cut.hole);
      from = at(cut.end);
    }
    if (from < bytes.length) parts.push(bytes.subarray(from));
    return parts;
  }
}

/** A build whose entity changes only with its row: not started, or finished, and never queued without starting since. */
function isSettled(job: ShownJob): boolean {
  return job.type === 'build' && (job.startedAt === null || job.finishedAt !== null) && (job.queuedAt === null || job.startedAt !== null);
}
