import type { Readable } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { parseByteRange } from './range.js';

/**
 * Streams a stored file of `size` bytes honouring one `Range: bytes=…` (206 / 416), as `sendWithRange` does
 * for buffers: the bytes are never held in memory. The caller sets Content-Type and Content-Disposition.
 */
export function sendRangedStream(request: FastifyRequest, reply: FastifyReply, size: number, open: (start: number, end: number) => Readable): FastifyReply {
  const header = request.headers['if-range'] === undefined ? request.headers.range : undefined;
  const range = parseByteRange(typeof header === 'string' ? header : undefined, size);
  reply.header('Accept-Ranges', 'bytes');
  if (range === 'unsatisfiable') return reply.code(416).header('Content-Range', `bytes */${size}`).send(Buffer.alloc(0));
  if (request.method === 'HEAD') {
    const length = range ? range.end - range.start + 1 : size;
    if (range) reply.code(206).header('Content-Range', `bytes ${range.start}-${range.end}/${size}`);
    return reply.header('Content-Length', String(length)).send();
  }
  if (range === null) return reply.code(200).header('Content-Length', String(size)).send(open(0, size));
  return reply
    .code(206)
    .header('Content-Range', `bytes ${range.start}-${range.end}/${size}`)
    .header('Content-Length', String(range.end - range.start + 1))
    .send(open(range.start, range.end + 1));
}

/** `attachment; filename="…"; filename*=UTF-8''…`, GitLab's header for downloads (quotes and controls escaped). */
export function attachmentDisposition(filename: string, options: { extended?: boolean; inline?: boolean } = {}): string {
  const quoted = filename.replace(/[\u0000-\u001f\u007f]/g, '').replace(/["\\]/g, (c) => `\\${c}`);
  const ascii = quoted.replace(/[^\u0020-\u007e]/g, '_');
  const kind = options.inline ? 'inline' : 'attachment';
  if (options.extended === false) return `${kind}; filename="${ascii}"`;
  const encoded = encodeURIComponent(filename).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `${kind}; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}
