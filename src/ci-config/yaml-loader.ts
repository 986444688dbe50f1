import { isAlias, isMap, isScalar, isSeq, parseAllDocuments, type Node } from 'yaml';
import { setKey } from './deep-merge.js';
import { tooBig } from './yaml-size.js';
import { psychMessage } from './yaml-errors.js';
import { DisallowedClass, resolvePlainScalar } from './yaml-scalars.js';

/** `!reference [job, key, ...]`, kept as a marker until every included file is merged. */
export class Reference {
  /** `valid` false: not a non-empty list of strings; `shown` is Ruby's `inspect` of what was written. */
  constructor(readonly path: string[], readonly valid = true, readonly shown = '') {}
}

export const MAX_YAML_BYTES = 2 * 1024 * 1024;
const TOO_BIG = 'The parsed YAML is too big';
/** GitLab splits a file into at most two documents (an optional `spec:` header, then the config). */
const MAX_DOCUMENTS = 2;

/** More alias references than any hand-written config uses: refused before the parser builds their nodes. */
const MAX_ALIAS_NODES = 5000;

function tooManyAliases(text: string): boolean {
  let count = 0;
  const pattern = /(?:^|[\s[{,:-])\*[^\s,[\]{}]+/g;
  while (pattern.exec(text) !== null) if (++count > MAX_ALIAS_NODES) return true;
  return false;
}

export type YamlResult = { ok: true; value: unknown } | { ok: false; error: string };

class LoadError extends Error {}

const ruby = (v: unknown): string => (typeof v === 'string' ? JSON.stringify(v) : v === null ? 'nil' : String(v));

/**
 * Builds plain values from the parsed document as Psych does: anchors shared, `<<` merged at the
 * point it appears (overriding keys above it, overridden by keys below; in a list of maps the first
 * wins), later duplicate keys winning, scalars resolved by Psych's rules, `!reference` kept as a marker.
 */
function convert(root: Node | null): unknown {
  const anchors = new Map<string, unknown>();
  const walk = (node: Node | null): unknown => {
    if (node === null) return null;
    if (isAlias(node)) {
      if (!anchors.has(node.source)) throw new LoadError(`Unknown alias: ${node.source}`);
      return anchors.get(node.source);
    }
    if (isScalar(node)) {
      const text = String(node.value ?? '');
      let value: unknown = text;
      if (node.tag === 'tag:yaml.org,2002:int') value = Number.parseInt(text, 10);
      else if (node.tag === 'tag:yaml.org,2002:float') value = Number.parseFloat(text);
      else if (node.tag === 'tag:yaml.org,2002:null') value = null;
      else if (node.type === 'PLAIN' && node.tag === undefined) value = resolvePlainScalar(text);
      if (node.tag === '!reference') value = new Reference([], false, text === '' ? 'nil' : ruby(text));
      if (node.anchor) anchors.set(node.anchor, value);
      return value;
    }
    if (isSeq(node)) {
      const list: unknown[] = [];
      if (node.anchor) anchors.set(node.anchor, list);
      for (const item of node.items) list.push(walk(item as Node | null));
      if (node.tag !== '!reference') return list;
      const valid = list.length > 0 && list.every((p) => typeof p === 'string');
      const reference = new Reference(list.map(String), valid, `[${list.map(ruby).join(', ')}]`);
      if (node.anchor) anchors.set(node.anchor, reference);
      return reference;
    }
    if (isMap(node)) {
      const hash: Record<string, unknown> = {};
      if (node.anchor) anchors.set(node.anchor, hash);
      for (const pair of node.items) {
        const key = walk(pair.key as Node | null);
        const value = walk(pair.value as Node | null);
        if (key === '<<' && !(isScalar(pair.key) && pair.key.tag === 'tag:yaml.org,2002:str') && merge(hash, value)) continue;
        setKey(hash, key === null ? '' : String(key), value);
      }
      if (node.tag === '!reference') return new Reference([], false, node.items.length === 0 ? 'nil' : '{...}');
      return hash;
    }
    return null;
  };
  return walk(root);
}

const isPlainHash = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Reference);

/** Psych's `<<`: a map merges in, a list of maps merges with the first winning; anything else stays a `<<` key. */
function merge(hash: Record<string, unknown>, value: unknown): boolean {
  const sources = Array.isArray(value) ? [...value].reverse() : [value];
  if (!sources.every(isPlainHash)) return false;
  for (const source of sources) for (const [k, v] of Object.entries(source)) setKey(hash, k, v);
  return true;
}

function isBlank(value: unknown): boolean {
  if (value === null || value === undefined || value === false) return true;
  if (typeof value === 'string') return value.trim() === '';
  if (Array.isArray(value)) return value.length === 0;
  return isPlainHash(value) && Object.keys(value).length === 0;
}

/** Ruby's `split(/^---\s+/, 3)`: GitLab cuts the text into documents before parsing any of them. */
function splitDocuments(text: string): string[] {
  const parts: string[] = [];
  const divider = /^---\s+/gm;
  let start = 0;
  for (let m = divider.exec(text); m && parts.length < MAX_DOCUMENTS; m = divider.exec(text)) {
    parts.push(text.slice(start, m.index));
    start = m.index + m[0].length;
  }
  parts.push(text.slice(start));
  return parts;
}

/** Like Psych's safe_load, only the first YAML document of a piece counts. */
function loadDocument(text: string): unknown {
  const docs = parseAllDocuments(text, { schema: 'failsafe', uniqueKeys: false, prettyErrors: false, strict: false });
  const doc = Array.isArray(docs) ? docs[0] : undefined;
  if (!doc) return null;
  if (doc.errors.length > 0) throw new LoadError(psychMessage(text, doc.errors[0]));
  return convert(doc.contents as Node | null);
}

/**
 * Loads one CI YAML file as GitLab does: up to two documents (an optional `spec:` header first), blank
 * documents dropped, each document checked for size and depth (a "billion laughs" file is refused) and
 * required to be a hash. A file with no content left (only comments) is an empty config.
 */
export function loadYaml(text: string): YamlResult {
  if (Buffer.byteLength(text, 'utf8') > MAX_YAML_BYTES || tooManyAliases(text)) return { ok: false, error: TOO_BIG };
  let docs: unknown[];
  try {
    docs = splitDocuments(text).map(loadDocument);
  } catch (error) {
    if (error instanceof LoadError || error instanceof DisallowedClass) return { ok: false, error: error.message };
    return { ok: false, error: 'Invalid configuration format' };
  }
  docs = docs.filter((d) => !isBlank(d));
  for (const doc of docs) {
    if (tooBig(doc)) return { ok: false, error: TOO_BIG };
    if (!isPlainHash(doc)) return { ok: false, error: 'Invalid configuration format' };
  }
  const hasHeader = docs.length > 1 && isPlainHash(docs[0]) && 'spec' in docs[0];
  return { ok: true, value: (hasHeader ? docs[docs.length - 1] : docs[0]) ?? {} };
}
