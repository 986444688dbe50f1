import fs from 'node:fs/promises';
import path from 'node:path';
import { parseCommitObject, type CommitInfo } from './commit-object.js';
import { GitInputError } from './errors.js';
import { installHooks } from './hooks.js';
import { git, runGit } from './process.js';
import { isNullSha, isObjectId, isValidRefName, requireBranchName, requireCleanPath, requireObjectId } from './refs.js';

export interface GitRef {
  name: string;
  /** The commit the ref points to (for an annotated tag, the commit it tags). */
  sha: string;
}

export interface CommitPage {
  page: number;
  perPage: number;
}

/**
 * One bare repository, read and changed through the real `git` binary. Every argument that came from
 * a caller is checked first (object ids, ref names, clean paths), so nothing can be read as an option.
 */
export class GitRepository {
  constructor(readonly path: string) {}

  private run(args: string[], input?: string) {
    return runGit([`--git-dir=${this.path}`, ...args], { input });
  }

  private git(args: string[]) {
    return git([`--git-dir=${this.path}`, ...args]);
  }

  async exists(): Promise<boolean> {
    return fs.access(path.join(this.path, 'HEAD')).then(() => true, () => false);
  }

  /** Creates the bare repository with Conveyor's hooks; on an existing one, refreshes config and hooks and leaves HEAD alone. */
  async init(initialBranch = 'main'): Promise<void> {
    requireBranchName(initialBranch);
    const fresh = !(await this.exists());
    await fs.mkdir(path.dirname(this.path), { recursive: true });
    if (fresh) {
      // No template: sample hooks and a description file are clutter nobody reads here.
      await git(['init', '--bare', '--quiet', '--template=', `--initial-branch=${initialBranch}`, this.path]);
    }
    await this.git(['config', 'receive.advertisePushOptions', 'true']);
    await installHooks(this.path);
  }

  async installHooks(): Promise<void> {
    await installHooks(this.path);
  }

  /**
   * The commit a branch, tag, full ref (`refs/...`) or object id names, or null. A short name is a
   * branch before a tag, as GitLab reads a pipeline's `ref`.
   */
  async resolveRef(ref: string): Promise<string | null> {
    let candidates: string[];
    if (isObjectId(ref)) candidates = [ref];
    else if (ref.startsWith('refs/')) candidates = isValidRefName(ref) ? [ref] : [];
    else if (ref === 'HEAD') candidates = ['HEAD'];
    else candidates = isValidRefName(`refs/heads/${ref}`) && !ref.startsWith('-') ? [`refs/heads/${ref}`, `refs/tags/${ref}`] : [];
    for (const candidate of candidates) {
      const result = await this.run(['rev-parse', '--verify', '--quiet', `${candidate}^{commit}`]);
      if (result.code === 0) return result.stdout.toString('utf8').trim();
    }
    return null;
  }

  /** A file's content at a commit, or null when the commit or the file does not exist (or is not a file). */
  async readFile(sha: string, filePath: string): Promise<Buffer | null> {
    requireObjectId(sha);
    requireCleanPath(filePath);
    const [object] = await this.catFile([`${sha}:${filePath}`]);
    return object && object.type === 'blob' ? object.content : null;
  }

  /** Every file path (blobs and symlinks, not folders or submodules) in a commit's tree. */
  async listFiles(sha: string): Promise<string[]> {
    requireObjectId(sha);
    const result = await this.run(['ls-tree', '-r', '-z', '--full-tree', sha]);
    if (result.code !== 0) return [];
    const files: string[] = [];
    for (const entry of result.stdout.toString('utf8').split('\0')) {
      const tab = entry.indexOf('\t');
      if (tab === -1) continue;
      const [, type] = entry.slice(0, tab).split(' ');
      if (type === 'blob') files.push(entry.slice(tab + 1));
    }
    return files;
  }

  async commit(sha: string): Promise<CommitInfo | null> {
    requireObjectId(sha);
    const [object] = await this.catFile([sha]);
    return object && object.type === 'commit' ? parseCommitObject(object.id, object.content) : null;
  }

  /** A page of the history reachable from `ref`, newest first, like `git log`; [] when the ref is unknown. */
  async commits(ref: string, { page, perPage }: CommitPage): Promise<CommitInfo[]> {
    if (!Number.isSafeInteger(page) || page < 1 || !Number.isSafeInteger(perPage) || perPage < 1) {
      throw new GitInputError('page and perPage must be positive integers');
    }
    const head = await this.resolveRef(ref);
    if (!head) return [];
    const ids = (await this.git(['rev-list', `--skip=${(page - 1) * perPage}`, `--max-count=${perPage}`, head]))
      .toString('utf8')
      .split('\n')
      .filter(Boolean);
    const objects = await this.catFile(ids);
    return objects.filter((o) => o?.type === 'commit').map((o) => parseCommitObject(o!.id, o!.content));
  }

  /** Commits reachable from `ref` (0 when it is unknown): GitLab's `commit_count` for the default branch. */
  async commitCount(ref: string): Promise<number> {
    const head = await this.resolveRef(ref);
    if (!head) return 0;
    return Number((await this.git(['rev-list', '--count', head])).toString('utf8').trim());
  }

  /** Bytes of the repository's objects, loose and packed (`git count-objects`). */
  async sizeBytes(): Promise<number> {
    const lines = (await this.git(['count-objects', '-v'])).toString('utf8').split('\n');
    const kib = (name: string) => Number(lines.find((line) => line.startsWith(`${name}: `))?.slice(name.length + 2) ?? 0);
    return (kib('size') + kib('size-pack')) * 1024;
  }

  async branches(): Promise<GitRef[]> {
    return this.refs('refs/heads/');
  }

  async tags(): Promise<GitRef[]> {
    return this.refs('refs/tags/');
  }

  /** The files that differ between two commits, or null when there is no `before` to compare with (a new branch). */
  async changedPaths(beforeSha: string, afterSha: string): Promise<string[] | null> {
    requireObjectId(afterSha);
    if (isNullSha(beforeSha)) return null;
    requireObjectId(beforeSha);
    const [before] = await this.catFile([beforeSha]);
    if (!before || before.type !== 'commit') return null;
    const out = await this.git(['diff-tree', '-r', '-z', '--name-only', '--no-renames', '--no-commit-id', beforeSha, afterSha]);
    return out.toString('utf8').split('\0').filter(Boolean);
  }

  /**
   * GitLab's persistent pipeline ref `refs/pipelines/<id>`: runners fetch it, so a job still finds its
   * commit after the branch moved on or was deleted.
   */
  async createPipelineRef(pipelineId: number, sha: string): Promise<void> {
    requireObjectId(sha);
    if (!Number.isSafeInteger(pipelineId) || pipelineId < 1) throw new GitInputError('invalid pipeline id');
    await this.git(['update-ref', `refs/pipelines/${pipelineId}`, sha]);
  }

  /** Points HEAD (what a clone checks out, GitLab's default branch) at a branch. */
  async setHead(branch: string): Promise<void> {
    requireBranchName(branch);
    await this.git(['symbolic-ref', 'HEAD', `refs/heads/${branch}`]);
  }

  private async refs(prefix: string): Promise<GitRef[]> {
    // %00 separates fields; `*objectname` is the peeled commit of an annotated tag, empty otherwise.
    const out = await this.git(['for-each-ref', '--format=%(refname)%00%(objectname)%00%(*objectname)', prefix]);
    return out
      .toString('utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => {
        const [name, sha, peeled] = line.split('\0');
        return { name: name.slice(prefix.length), sha: peeled || sha };
      });
  }

  /** Reads objects with one `git cat-file --batch`; null for each name that does not exist. */
  private async catFile(names: string[]): Promise<Array<{ id: string; type: string; content: Buffer } | null>> {
    if (names.length === 0) return [];
    // The batch protocol is line-based: a name with a newline would desynchronise it.
    if (names.some((n) => n.includes('\n') || n.includes('\0'))) throw new GitInputError('object name with a line break');
    const result = await this.run(['cat-file', '--batch'], `${names.join('\n')}\n`);
    if (result.code !== 0) return names.map(() => null);
    const objects: Array<{ id: string; type: string; content: Buffer } | null> = [];
    let offset = 0;
    const data = result.stdout;
    for (let i = 0; i < names.length && offset < data.length; i++) {
      const end = data.indexOf(0x0a, offset);
      if (end === -1) break;
      const header = data.subarray(offset, end).toString('utf8').split(' ');
      offset = end + 1;
      if (header.length !== 3 || header[1] === 'missing') {
        objects.push(null);
        continue;
      }
      const size = Number(header[2]);
      objects.push({ id: header[0], type: header[1], content: data.subarray(offset, offset + size) });
      offset += size + 1;
    }
    while (objects.length < names.length) objects.push(null);
    return objects;
  }
}
