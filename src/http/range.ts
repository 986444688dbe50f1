import type { FastifyReply, FastifyRequest } from 'fastify';

/** A satisfiable byte range, `end` inclusive (RFC 9110 §14.1.2). */
export interface ByteRange {
  start: number;
  end: number;
}

/**
 * Reads a `Range` header against a representation of `size` bytes (RFC 9110 §14.2):
 * - `null`: no usable range (absent, not `bytes=`, malformed, or several ranges): send the whole body with 200;
 * - `'unsatisfiable'`: a well-formed single range that selects no byte: 416;
 * - a range: 206 with those bytes.
 * Several ranges would need multipart/byteranges; ignoring the header is what RFC 9110 allows instead.
 */
export function parseByteRange(header: string | undefined, size: number): ByteRange | 'unsatisfiable' | null {
  if (header === undefined) return null;
  const match = /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(header);
  if (!match) return null;
  const [, first, last] = match;
  if (first === '' && last === '') return null;
  if (first === '') {
    // Suffix range: the last N bytes; N = 0 or an empty body selects nothing.
    const length = Number(last);
    if (length === 0 || size === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - length), end: size - 1 };
  }
  const start = Number(first);
  const end = last === '' ? Number.MAX_SAFE_INTEGER : Number(last);
  // `last < first` makes the header invalid (ignored), not unsatisfiable.
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || end < start) return null;
  if (start >= size) return 'unsatisfiable';
  return { start, end: Math.min(end, size - 1) };
}

/**
 * Sends `body` honouring a `Range: bytes=...` request header: 206 with `Content-Range: bytes a-b/size`,
 * 416 with a Content-Range naming only the size (the unsatisfied-range form) for ranges past the end, else 200. Every
 * answer says `Accept-Ranges: bytes`. We send no validators (ETag, Last-Modified), so an `If-Range` can
 * never match and, as RFC 9110 §13.1.5 says, makes us ignore the Range. The caller sets Content-Type first.
 */
export function sendWithRange(request: FastifyRequest, reply: FastifyReply, body: Buffer): FastifyReply {
  const header = request.headers['if-range'] === undefined ? request.headers.range : undefined;
  const range = parseByteRange(typeof header === 'string' ? header : undefined, body.length);
  reply.header('Accept-Ranges', 'bytes');
  if (range === null) return reply.code(200).send(body);
  if (range === 'unsatisfiable') {
    return reply.code(416).header('Content-Range', `bytes */${body.length}`).send(Buffer.alloc(0));
  }
  return reply
    .code(206)
    .header('Content-Range', `bytes ${range.start}-${range.end}/${body.length}`)
    .send(body.subarray(range.start, range.end + 1));
}
