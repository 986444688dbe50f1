import crypto from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { JsonParts } from '../entities/job-json-cache.js';

/** From this many items a top-level array reply is built item by item into one Buffer. */
const ITEMWISE_FROM = 16;

/**
 * Replies as JSON, large lists as bytes. V8's JSON.stringify returns a big result as a rope, and a page
 * of 100 jobs (~180 KB) then cost more to measure (`Buffer.byteLength` flattens it) and to encode for the
 * socket than to build: about 1 ms of a 2 ms reply. Items stringified one by one and written into one
 * Buffer cost a third of that, and the socket takes the Buffer as it is. Same bytes as JSON.stringify.
 */
export function serializeJson(payload: unknown): string | Buffer {
  if (payload instanceof ListWithSharedParts) return payload.shared.serialize(payload.items);
  if (payload instanceof JsonParts) return Buffer.concat(payload.parts);
  if (!Array.isArray(payload) || payload.length < ITEMWISE_FROM) return JSON.stringify(payload);
  return itemwise(payload.map((item: unknown) => JSON.stringify(item) ?? 'null'));
}

function itemwise(items: string[]): Buffer {
  const pieces: Array<string | Buffer> = [];
  let size = 2;
  for (const item of items) {
    if (pieces.length > 0) pieces.push(COMMA);
    pieces.push(item);
    size += Buffer.byteLength(item);
  }
  return jsonArray(pieces, size + Math.max(0, items.length - 1));
}

/** `[`, the pieces (strings as UTF-8, Buffers as they are, commas among them), `]`: one Buffer of `size` bytes. */
function jsonArray(pieces: Array<string | Buffer>, size: number): Buffer {
  const out = Buffer.allocUnsafe(size);
  let at = 0;
  out[at++] = 0x5b;
  for (const piece of pieces) {
    if (typeof piece === 'string') at += out.write(piece, at, 'utf8');
    else {
      // TypedArray#set: a plain memory copy, without Buffer#copy's argument checks (1,400 pieces in a page of jobs).
      out.set(piece, at);
      at += piece.length;
    }
  }
  out[at] = 0x5d;
  return out;
}

const COMMA = Buffer.from(',');

/** Unguessable, so that no stored string (a job name may hold a NUL) can pass for a stand-in. */
const NONCE = crypto.randomBytes(12).toString('hex');
const STAND_IN_PREFIX = `\u0000${NONCE}:`;
const STAND_IN = new RegExp(`"\\\\u0000${NONCE}:(\\d+)"`, 'g');

/**
 * Values many items of a list reply show (a page's user, its commits and pipelines: two thirds of each
 * job's JSON), serialized once per reply instead of once per item. An item holds a stand-in string where
 * such a value goes; the stand-in's JSON is replaced by the value's.
 */
export class SharedJson {
  readonly #fragments: Buffer[] = [];
  readonly #byStandIn = new Map<unknown, Buffer>();

  /** The stand-in to put in an item where `value` goes. */
  share(value: unknown): string {
    const fragment = Buffer.from(JSON.stringify(value), 'utf8');
    this.#fragments.push(fragment);
    const standIn = `${STAND_IN_PREFIX}${this.#fragments.length - 1}`;
    this.#byStandIn.set(standIn, fragment);
    return standIn;
  }

  bytesOf(standIn: unknown): Buffer {
    const fragment = this.#byStandIn.get(standIn);
    if (!fragment) throw new Error('not a stand-in of this reply');
    return fragment;
  }

  /** The items as a JSON array, each value's bytes copied where its stand-in was. */
  serialize(items: unknown[]): Buffer {
    const pieces: Array<string | Buffer> = [];
    let size = 2 + Math.max(0, items.length - 1);
    const append = (json: string) => {
      let from = 0;
      STAND_IN.lastIndex = 0;
      for (let match = STAND_IN.exec(json); match; match = STAND_IN.exec(json)) {
        const before = json.slice(from, match.index);
        const fragment = this.#fragments[Number(match[1])];
        pieces.push(before, fragment);
        size += Buffer.byteLength(before) + fragment.length;
        from = match.index + match[0].length;
      }
      const rest = from === 0 ? json : json.slice(from);
      pieces.push(rest);
      size += Buffer.byteLength(rest);
    };
    for (const item of items) {
      if (pieces.length > 0) pieces.push(COMMA);
      if (!(item instanceof JsonParts)) {
        append(JSON.stringify(item) ?? 'null');
        continue;
      }
      for (const part of item.parts) {
        pieces.push(part);
        size += part.length;
      }
    }
    return jsonArray(pieces, size);
  }
}

/** A list reply whose items hold stand-ins of `shared`; only serializeJson may read it. */
export class ListWithSharedParts {
  constructor(readonly items: unknown[], readonly shared: SharedJson) {}
}

export function registerJsonSerializer(app: FastifyInstance): void {
  app.setReplySerializer((payload) => serializeJson(payload) as string);
}
