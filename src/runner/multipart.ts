import { randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';

export interface MultipartBody {
  contentType: string;
  body: AsyncIterable<Uint8Array>;
}

function quoted(value: string): string {
  return value.replace(/["\\\r\n]/g, (c) => (c === '"' ? '%22' : c === '\\' ? '\\\\' : ''));
}

/** multipart/form-data with one file part, framed around a stream so the archive is never buffered whole. */
export function multipartFile(field: string, filename: string, content: Readable): MultipartBody {
  const boundary = `----conveyor-runner-${randomBytes(12).toString('hex')}`;
  async function* body(): AsyncGenerator<Uint8Array> {
    yield Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="${quoted(field)}"; filename="${quoted(filename)}"\r\n` +
        'Content-Type: application/octet-stream\r\n\r\n',
    );
    for await (const chunk of content) yield typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Uint8Array);
    yield Buffer.from(`\r\n--${boundary}--\r\n`);
  }
  return { contentType: `multipart/form-data; boundary=${boundary}`, body: body() };
}
