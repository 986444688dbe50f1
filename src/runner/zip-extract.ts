import { createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import yauzl from 'yauzl';

const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;

function openZip(file: string): Promise<yauzl.ZipFile> {
  return new Promise((resolve, reject) =>
    yauzl.open(file, { lazyEntries: true, decodeStrings: false, autoClose: true }, (err, zip) => (err ? reject(err) : resolve(zip))),
  );
}

function readEntry(zip: yauzl.ZipFile, entry: yauzl.Entry): Promise<Readable> {
  return new Promise((resolve, reject) => zip.openReadStream(entry, (err, stream) => (err ? reject(err) : resolve(stream))));
}

function inside(root: string, target: string): boolean {
  const rel = path.relative(root, target);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/** The entry's name as a safe relative path, or null when it is absolute or climbs out with `..`. */
export function safeEntryName(raw: string): string | null {
  const name = raw.replace(/\\/g, '/');
  if (name === '' || name.startsWith('/') || /^[A-Za-z]:/.test(name) || name.includes('\0')) return null;
  const parts = name.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.length === 0 || parts.includes('..')) return null;
  return parts.join('/');
}

/** Refuses to create anything through a symlink that leads outside the root (a checked-out `a -> /etc`). */
async function ensureParent(root: string, dir: string): Promise<void> {
  let existing = dir;
  for (;;) {
    try {
      await fs.lstat(existing);
      break;
    } catch {
      existing = path.dirname(existing);
    }
  }
  const real = await fs.realpath(existing);
  if (!inside(root, real)) throw new Error(`${path.relative(root, dir)} leads outside the project directory`);
  await fs.mkdir(dir, { recursive: true });
}

async function removeIfNotDir(file: string): Promise<void> {
  const stat = await fs.lstat(file).catch(() => undefined);
  if (stat && !stat.isDirectory()) await fs.rm(file, { force: true });
}

/**
 * Extracts a zip into `dir`: entries with absolute paths, `..`, or symlinks pointing out of `dir` are
 * skipped with a warning; existing files are replaced (never written through a symlink).
 */
export async function extractZip(file: string, dir: string, warn: (message: string) => void): Promise<number> {
  await fs.mkdir(dir, { recursive: true });
  const root = await fs.realpath(dir);
  const zip = await openZip(file);
  let count = 0;
  await new Promise<void>((resolve, reject) => {
    zip.on('error', reject);
    zip.on('end', () => resolve());
    zip.on('entry', (entry: yauzl.Entry) => {
      handle(entry).then(
        () => zip.readEntry(),
        (error) => {
          zip.close();
          reject(error);
        },
      );
    });
    zip.readEntry();
  });
  return count;

  async function handle(entry: yauzl.Entry): Promise<void> {
    const raw = Buffer.isBuffer(entry.fileName) ? (entry.fileName as Buffer).toString('utf8') : String(entry.fileName);
    const name = safeEntryName(raw);
    if (name === null) {
      warn(`${raw}: path is outside of the project directory, skipped`);
      return;
    }
    const dest = path.join(root, name);
    const unixMode = entry.externalFileAttributes >>> 16;
    const isDir = raw.endsWith('/');
    const isLink = (unixMode & S_IFMT) === S_IFLNK;
    if (isDir) {
      await ensureParent(root, dest);
      count++;
      return;
    }
    await ensureParent(root, path.dirname(dest));
    await removeIfNotDir(dest);
    const stream = await readEntry(zip, entry);
    if (isLink) {
      const chunks: Buffer[] = [];
      for await (const chunk of stream) chunks.push(chunk as Buffer);
      const target = Buffer.concat(chunks).toString('utf8');
      if (path.isAbsolute(target) || !inside(root, path.resolve(path.dirname(dest), target))) {
        warn(`${name}: symlink to ${target} leads outside the project directory, skipped`);
        return;
      }
      await fs.symlink(target, dest);
    } else {
      await pipeline(stream, createWriteStream(dest, { mode: unixMode & 0o777 || 0o644 }));
      if (unixMode & 0o777) await fs.chmod(dest, unixMode & 0o777);
    }
    count++;
  }
}
