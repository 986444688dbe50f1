import { Readable } from 'node:stream';
import yauzl from 'yauzl';
import type { BlobReader } from '../../blobs/blob-store.js';

/** What Conveyor keeps of one central-directory record: enough to find, list and stream the entry. */
export interface ArchiveEntry {
  name: string;
  /** The raw name held a NUL byte (never a valid path). */
  nameHasNul: boolean;
  size: number;
  compressedSize: number;
  compressionMethod: number;
  generalPurposeBitFlag: number;
  localHeaderOffset: number;
  crc32: number;
  /** Unix mode bits when the archive was made on Unix (0 otherwise). */
  mode: number;
  isDirectory: boolean;
  isSymlink: boolean;
}

const READ_AHEAD = 64 * 1024;

/**
 * yauzl's random access over a blob. yauzl reads the central directory 46 bytes at a time, so reads are
 * served from a 64 KiB window read ahead; entry data goes through the blob's own stream.
 */
class BlobRandomAccessReader extends yauzl.RandomAccessReader {
  private window: Buffer = Buffer.alloc(0);
  private windowStart = 0;

  constructor(private readonly blob: BlobReader) {
    super();
  }

  override read(buffer: Buffer, offset: number, length: number, position: number, callback: (error: Error | null) => void): void {
    const inWindow = position >= this.windowStart && position + length <= this.windowStart + this.window.length;
    if (inWindow) {
      this.window.copy(buffer, offset, position - this.windowStart, position - this.windowStart + length);
      // Never call back synchronously: yauzl reads the next entry from inside this callback, so thousands
      // of entries served from one window would otherwise nest until the stack overflows (and the process dies).
      queueMicrotask(() => callback(null));
      return;
    }
    this.blob.read(position, Math.max(length, READ_AHEAD)).then(
      (bytes) => {
        if (bytes.length < length) return callback(new Error('unexpected EOF'));
        this.window = bytes;
        this.windowStart = position;
        bytes.copy(buffer, offset, 0, length);
        callback(null);
      },
      (error: Error) => callback(error),
    );
  }

  override _readStreamForRange(start: number, end: number): Readable {
    return this.blob.stream(start, end);
  }

  override close(callback: (error: Error | null) => void): void {
    callback(null);
  }
}

export type ZipFile = yauzl.ZipFile;

/** Opens the zip in a blob: only its end record is read (entries are read on demand). */
export function openZip(blob: BlobReader): Promise<ZipFile> {
  return new Promise((resolve, reject) => {
    yauzl.fromRandomAccessReader(
      new BlobRandomAccessReader(blob),
      blob.size,
      { lazyEntries: true, autoClose: false, decodeStrings: false, validateEntrySizes: true },
      (error, zip) => (error || !zip ? reject(error ?? new Error('not a zip archive')) : resolve(zip)),
    );
  });
}

function toEntry(raw: yauzl.Entry): ArchiveEntry {
  const nameBytes = raw.fileName as unknown as Buffer;
  // Names are UTF-8 when flagged (or given by the Info-ZIP Unicode path field), else CP437: yauzl's rules.
  const name = yauzl.getFileNameLowLevel(raw.generalPurposeBitFlag, nameBytes, raw.extraFields, true);
  const madeOnUnix = raw.versionMadeBy >> 8 === 3;
  const mode = madeOnUnix ? (raw.externalFileAttributes >>> 16) & 0xffff : 0;
  return {
    name,
    nameHasNul: nameBytes.includes(0),
    size: raw.uncompressedSize,
    compressedSize: raw.compressedSize,
    compressionMethod: raw.compressionMethod,
    generalPurposeBitFlag: raw.generalPurposeBitFlag,
    localHeaderOffset: raw.relativeOffsetOfLocalHeader,
    crc32: raw.crc32,
    mode,
    isDirectory: name.endsWith('/'),
    isSymlink: (mode & 0o170000) === 0o120000,
  };
}

/** Every central-directory record, in archive order; `limit` stops a runaway directory early. */
export function readEntries(zip: ZipFile, limit = Number.POSITIVE_INFINITY): Promise<ArchiveEntry[]> {
  return new Promise((resolve, reject) => {
    const entries: ArchiveEntry[] = [];
    if (zip.entryCount > limit) {
      reject(new Error(`the archive has more than ${limit} entries`));
      return;
    }
    zip.on('entry', (raw: yauzl.Entry) => {
      entries.push(toEntry(raw));
      zip.readEntry();
    });
    zip.once('end', () => resolve(entries));
    zip.once('error', reject);
    zip.readEntry();
  });
}
