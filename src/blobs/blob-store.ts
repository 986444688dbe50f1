import type { Readable } from 'node:stream';

/** One blob opened for random access (reading a zip's central directory, then one entry). */
export interface BlobReader {
  readonly size: number;
  /** Up to `length` bytes at `position` (fewer only at the end). */
  read(position: number, length: number): Promise<Buffer>;
  /** A stream of bytes [start, end). */
  stream(start: number, end: number): Readable;
  close(): Promise<void>;
}

/**
 * Where logs and artifacts keep their bytes. Keys are made by the server (`traces/<job id>.log`,
 * `artifacts/<id>`), never taken from a client. The database says how many bytes of a blob count.
 */
export interface BlobStore {
  /** Writes `bytes` at `offset` and makes them durable before resolving (an acknowledged byte survives a crash). */
  writeAt(key: string, offset: number, bytes: Buffer): Promise<void>;
  /** Bytes [start, end) of a blob; a missing blob reads as empty. */
  read(key: string, start: number, end: number): Promise<Buffer>;
  /** A stream of bytes [start, end) for large replies. */
  stream(key: string, start: number, end: number): Readable;
  /** Stores a whole blob from a stream: written aside and renamed into place only when complete. */
  put(key: string, source: Readable): Promise<{ size: number; sha256: string }>;
  delete(key: string): Promise<void>;
  /** Opens a blob for random access; undefined when it does not exist. */
  openReader(key: string): Promise<BlobReader | undefined>;
  /** Releases what the store holds open (at shutdown). */
  close(): Promise<void>;
}
