import { parseDocument, Scalar, visit, type YAMLSeq } from 'yaml';

/** `!reference [job, key, ...]`, kept as a marker until every included file is merged. */
export class Reference {
  constructor(readonly path: string[]) {}
}

export const MAX_YAML_BYTES = 2 * 1024 * 1024;
export const MAX_YAML_DEPTH = 100;
/** Alias expansions allowed; a "billion laughs" file blows past this at once instead of eating memory. */
const MAX_ALIAS_COUNT = 10_000;

/** More alias references than any hand-written config uses. */
const MAX_ALIAS_NODES = 5000;

function countAliases(text: string): number {
  let count = 0;
  const pattern = /(?:^|[\s[{,:-])\*[^\s,[\]{}]+/g;
  while (pattern.exec(text) !== null) if (++count > MAX_ALIAS_NODES) break;
  return count;
}

export type YamlResult = { ok: true; value: unknown } | { ok: false; error: string };

function depthOf(value: unknown, depth = 0): number {
  if (depth > MAX_YAML_DEPTH) return depth;
  if (Array.isArray(value)) return Math.max(depth, ...value.map((v) => depthOf(v, depth + 1)));
  if (value !== null && typeof value === 'object' && !(value instanceof Reference)) {
    return Math.max(depth, ...Object.values(value).map((v) => depthOf(v, depth + 1)));
  }
  return depth;
}

/**
 * Parses one CI YAML file the way GitLab's loader does: merge keys, anchors and aliases, duplicate
 * keys (last wins, as in Ruby), the `!reference` tag, and limits on size, depth and alias expansion.
 */
export function loadYaml(text: string): YamlResult {
  if (Buffer.byteLength(text, 'utf8') > MAX_YAML_BYTES) {
    return { ok: false, error: `The parsed YAML is too big` };
  }
  // An alias bomb made of many lines is refused before the parser builds its many nodes;
  // one made of few lines is caught by maxAliasCount while converting.
  if (countAliases(text) > MAX_ALIAS_NODES) return { ok: false, error: 'The parsed YAML is too big (excessive aliases)' };
  let doc;
  try {
    doc = parseDocument(text, {
      merge: true,
      uniqueKeys: false,
      prettyErrors: false,
      strict: false,
      customTags: [{ tag: '!reference', collection: 'seq', resolve: (seq: YAMLSeq) => seq }],
    });
  } catch (error) {
    return { ok: false, error: `Invalid configuration format` };
  }
  if (doc.errors.length > 0) {
    const first = doc.errors[0];
    const pos = first.linePos?.[0];
    return { ok: false, error: `(<unknown>): ${first.message.split('\n')[0]}${pos ? ` at line ${pos.line} column ${pos.col}` : ''}` };
  }
  let badReference = false;
  // Walking the document costs as much as parsing it; only files that use the tag need it.
  if (text.includes('!reference')) visit(doc, {
    Seq(_key, node) {
      if (node.tag !== '!reference') return undefined;
      const parts = node.items.map((item) => (item instanceof Scalar ? item.value : undefined));
      if (parts.some((p) => typeof p !== 'string' && typeof p !== 'number')) {
        badReference = true;
        return visit.BREAK;
      }
      return new Scalar(new Reference(parts.map(String)));
    },
  });
  if (badReference) return { ok: false, error: '!reference is not valid' };
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (/alias/i.test(message)) return { ok: false, error: 'The parsed YAML is too big (excessive aliases)' };
    return { ok: false, error: 'Invalid configuration format' };
  }
  if (depthOf(value) > MAX_YAML_DEPTH) return { ok: false, error: 'The parsed YAML is too deep' };
  return { ok: true, value };
}
