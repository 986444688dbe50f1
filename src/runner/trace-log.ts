import { crc32, crc32Checksum } from './crc32.js';
import { Masker } from './masker.js';

const RED = '\x1b[31;1m';
const RESET = '\x1b[0;m';

/**
 * The job log as it will reach the server: masked before it is kept (secrets never sit in memory
 * unmasked longer than a chunk), capped at the output limit, with a running CRC-32 of every byte.
 */
export class TraceLog {
  private data = Buffer.alloc(64 * 1024);
  private length = 0;
  private crc = 0;
  private full = false;

  constructor(
    private readonly masker: Masker,
    private readonly limit = 4 * 1024 * 1024,
  ) {}

  get size(): number {
    return this.length;
  }

  get checksum(): string {
    return crc32Checksum(this.crc);
  }

  /** Appends output; `force` is for the runner's closing status line, which must survive the limit. */
  write(text: string, force = false): void {
    const masked = this.masker.push(text);
    if (masked !== '') this.append(Buffer.from(masked, 'utf8'), force);
  }

  /** Releases text the masker was holding back; call before the final upload. */
  finish(): void {
    const rest = this.masker.end();
    if (rest !== '') this.append(Buffer.from(rest, 'utf8'), true);
  }

  slice(start: number, end: number): Buffer {
    return Buffer.from(this.data.subarray(Math.max(0, start), Math.min(end, this.length)));
  }

  private append(bytes: Buffer, force: boolean): void {
    if (this.full && !force) return;
    if (!force && this.length + bytes.length > this.limit) {
      this.put(bytes.subarray(0, Math.max(0, this.limit - this.length)));
      this.full = true;
      this.put(
        Buffer.from(`\n${RED}Job's log exceeded limit of ${this.limit} bytes.\nJob execution will continue but no more output will be collected.${RESET}\n`),
      );
      return;
    }
    this.put(bytes);
  }

  private put(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    if (this.length + bytes.length > this.data.length) {
      let capacity = this.data.length;
      while (capacity < this.length + bytes.length) capacity *= 2;
      const grown = Buffer.alloc(capacity);
      this.data.copy(grown, 0, 0, this.length);
      this.data = grown;
    }
    this.data.set(bytes, this.length);
    this.length += bytes.length;
    this.crc = crc32(bytes, this.crc);
  }
}
