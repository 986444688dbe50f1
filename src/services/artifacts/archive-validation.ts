import path from 'node:path';
import type { BlobReader } from '../../blobs/blob-store.js';
import { openZip, readEntries, type ArchiveEntry } from './zip-archive.js';
import { readSmallEntry } from './zip-entry-stream.js';

/** Limits an uploaded zip must keep (see docs/architecture.md, "Artifact archives"). */
export const ARCHIVE_LIMITS = {
  /** Entries in one archive. */
  maxEntries: 500_000,
  /** Declared uncompressed bytes per archive byte, once the archive unpacks to more than `ratioFloor`. */
  maxRatio: 100,
  ratioFloor: 64 * 1024 * 1024,
};

export type ArchiveCheck = { ok: true; entries: ArchiveEntry[] } | { ok: false; reason: string };

/** True for a path that would land outside the folder it is extracted into, or names no file. */
export function escapesRoot(name: string): boolean {
  if (name.includes('\u0000')) return true;
  if (/^[/\\]/.test(name) || /^[a-zA-Z]:/.test(name)) return true;
  return name.split(/[/\\]/).includes('..');
}

function symlinkEscapes(entry: ArchiveEntry, target: string): boolean {
  if (target === '' || target.includes('\u0000') || /^[/\\]/.test(target) || /^[a-zA-Z]:/.test(target)) return true;
  const resolved = path.posix.normalize(path.posix.join(path.posix.dirname(entry.name.replace(/\\/g, '/')), target.replace(/\\/g, '/')));
  return resolved === '..' || resolved.startsWith('../');
}

/**
 * Checks a zip before it is accepted, reading only its central directory (and the targets of symbolic
 * links): every name must stay inside the extraction folder (no absolute path, `..`, NUL byte), links
 * must point inside it, the entries' data may not overlap (the "overlapping files" zip bomb), and the
 * archive may not unpack to more than `maxRatio` times its size (a high-ratio zip bomb).
 */
export async function checkArchive(blob: BlobReader, limits = ARCHIVE_LIMITS): Promise<ArchiveCheck> {
  let entries: ArchiveEntry[];
  const zip = await openZip(blob).catch(() => null);
  if (!zip) return { ok: false, reason: 'not a valid zip archive' };
  try {
    try {
      entries = await readEntries(zip, limits.maxEntries);
    } catch (error) {
      return { ok: false, reason: `not a valid zip archive (${(error as Error).message})` };
    }
    let unpacked = 0;
    let packed = 0;
    for (const entry of entries) {
      if (entry.nameHasNul || escapesRoot(entry.name)) return { ok: false, reason: `unsafe path in archive: ${JSON.stringify(entry.name)}` };
      unpacked += entry.size;
      packed += entry.compressedSize;
      if (entry.isSymlink) {
        const target = await readSmallEntry(blob, entry, 4096).catch(() => null);
        if (target === null || symlinkEscapes(entry, target.toString('utf8'))) {
          return { ok: false, reason: `symbolic link pointing outside the archive: ${JSON.stringify(entry.name)}` };
        }
      }
    }
    if (packed > blob.size) return { ok: false, reason: 'overlapping entries in archive' };
    if (unpacked > limits.ratioFloor && unpacked > limits.maxRatio * blob.size) {
      return { ok: false, reason: `archive expands more than ${limits.maxRatio} times its size` };
    }
    return { ok: true, entries };
  } finally {
    zip.close();
  }
}
