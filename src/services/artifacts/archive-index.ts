import type { Readable } from 'node:stream';
import type { ServiceContext } from '../context.js';
import { openZip, readEntries, type ArchiveEntry } from './zip-archive.js';
import { openEntryStream } from './zip-entry-stream.js';

interface Index {
  byName: Map<string, ArchiveEntry>;
  entries: ArchiveEntry[];
}

/** Entries kept across all cached archives (~150 bytes each): a bound on the cache's memory. */
const MAX_CACHED_ENTRIES = 200_000;

const caches = new WeakMap<ServiceContext, Map<string, Promise<Index>>>();
let cachedEntries = 0;

/**
 * The central directory of a stored archive, read once per process and kept (blobs never change once
 * stored), least recently used first out. A single file is then found without reading the directory again.
 */
async function indexOf(ctx: ServiceContext, blobKey: string): Promise<Index> {
  let cache = caches.get(ctx);
  if (!cache) caches.set(ctx, (cache = new Map()));
  const hit = cache.get(blobKey);
  if (hit) {
    cache.delete(blobKey);
    cache.set(blobKey, hit);
    return hit;
  }
  const loading = (async () => {
    const reader = await ctx.blobs.openReader(blobKey);
    if (!reader) throw new Error('archive missing');
    try {
      const zip = await openZip(reader);
      try {
        const entries = await readEntries(zip);
        return { entries, byName: new Map(entries.map((e) => [e.name, e])) };
      } finally {
        zip.close();
      }
    } finally {
      await reader.close();
    }
  })();
  cache.set(blobKey, loading);
  try {
    const index = await loading;
    cachedEntries += index.entries.length;
    for (const [key, other] of cache) {
      if (cachedEntries <= MAX_CACHED_ENTRIES || key === blobKey) break;
      cache.delete(key);
      cachedEntries -= (await other).entries.length;
    }
    return index;
  } catch (error) {
    cache.delete(blobKey);
    throw error;
  }
}

/** Forgets a deleted archive. */
export function forgetArchive(ctx: ServiceContext, blobKey: string): void {
  const cache = caches.get(ctx);
  const hit = cache?.get(blobKey);
  if (!cache || !hit) return;
  cache.delete(blobKey);
  void hit.then((index) => (cachedEntries -= index.entries.length), () => undefined);
}

export async function archiveEntries(ctx: ServiceContext, blobKey: string): Promise<ArchiveEntry[]> {
  return (await indexOf(ctx, blobKey)).entries;
}

export async function findEntry(ctx: ServiceContext, blobKey: string, name: string): Promise<ArchiveEntry | undefined> {
  const entry = (await indexOf(ctx, blobKey)).byName.get(name);
  return entry && !entry.isDirectory && !entry.isSymlink ? entry : undefined;
}

/** One entry's bytes straight out of the archive (random access: the rest of the archive is not read). */
export async function openEntry(ctx: ServiceContext, blobKey: string, entry: ArchiveEntry): Promise<Readable> {
  const reader = await ctx.blobs.openReader(blobKey);
  if (!reader) throw new Error('archive missing');
  // The reader keeps its file open until the entry's stream closes.
  return openEntryStream(reader, entry).finally(() => reader.close());
}
