import { pipeline, Transform, type Readable } from 'node:stream';
import zlib from 'node:zlib';
import type { BlobReader } from '../../blobs/blob-store.js';
import type { ArchiveEntry } from './zip-archive.js';

const LOCAL_HEADER = 0x04034b50;
const STORED = 0;
const DEFLATED = 8;
/**
 * zlib's default 16 KiB output chunks cost more than the inflating itself once they reach a socket (one
 * write, one callback and one backpressure round each): 500 MiB became 32,000 writes. Large chunks keep
 * a single-file download near `unzip -p`.
 */
const INFLATE_CHUNK = 256 * 1024;

/** Fails the stream unless exactly `expected` bytes pass (a lying header or a corrupt deflate stream). */
function exactLength(expected: number): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      seen += chunk.length;
      done(seen > expected ? new Error('entry longer than its recorded size') : null, chunk);
    },
    flush(done) {
      done(seen === expected ? null : new Error('entry shorter than its recorded size'));
    },
  });
}

/** Where the entry's data starts: after its local header, whose name and extra field may differ from the central record's. */
async function dataStart(blob: BlobReader, entry: ArchiveEntry): Promise<number> {
  const header = await blob.read(entry.localHeaderOffset, 30);
  if (header.length < 30 || header.readUInt32LE(0) !== LOCAL_HEADER) throw new Error('invalid local file header');
  const start = entry.localHeaderOffset + 30 + header.readUInt16LE(26) + header.readUInt16LE(28);
  if (start + entry.compressedSize > blob.size) throw new Error('entry data overflows the archive');
  return start;
}

/**
 * One entry's bytes, read straight from the blob by random access (the rest of the archive is not read).
 * A stored entry is the blob's own file stream with nothing in between; a deflated one goes through one
 * inflater and a length check. yauzl's `openReadStream` put four stream stages and 16 KiB chunks there.
 */
export async function openEntryStream(blob: BlobReader, entry: ArchiveEntry): Promise<Readable> {
  if (entry.generalPurposeBitFlag & 1) throw new Error('encrypted entry');
  const start = await dataStart(blob, entry);
  const end = start + entry.compressedSize;
  if (entry.compressionMethod === STORED) {
    if (entry.compressedSize !== entry.size) throw new Error('stored entry with two sizes');
    return blob.stream(start, end);
  }
  if (entry.compressionMethod !== DEFLATED) throw new Error(`unsupported compression method ${entry.compressionMethod}`);
  return pipeline(blob.stream(start, end), zlib.createInflateRaw({ chunkSize: INFLATE_CHUNK }), exactLength(entry.size), () => undefined);
}

/** Reads a small entry whole (a symlink's target); refuses entries over `max` bytes. */
export async function readSmallEntry(blob: BlobReader, entry: ArchiveEntry, max: number): Promise<Buffer> {
  if (entry.size > max) throw new Error('entry too large');
  const chunks: Buffer[] = [];
  for await (const chunk of await openEntryStream(blob, entry)) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
