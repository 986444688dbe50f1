import { Type, type TSchema } from 'typebox';

const TRUE_WORDS = new Set(['true', '1', 't', 'yes', 'y', 'on']);
const FALSE_WORDS = new Set(['false', '0', 'f', 'no', 'n', 'off']);

/** Grape's Boolean coercion (`true`, `True`, `1`, `0`, ...): the boolean, or undefined when the value is none. */
export function grapeBoolean(data: unknown): boolean | undefined {
  let value = data;
  if (Array.isArray(value) && value.length === 1) value = value[0];
  if (typeof value === 'boolean') return value;
  if (typeof value !== 'string' && typeof value !== 'number') return undefined;
  const word = String(value).trim().toLowerCase();
  if (TRUE_WORDS.has(word)) return true;
  return FALSE_WORDS.has(word) ? false : undefined;
}

/**
 * Grape's Boolean coercion as an Ajv keyword that rewrites the value in place, so handlers see a real
 * boolean whatever the client sent.
 */
export function addGitlabKeywords<A extends { addKeyword(definition: any): unknown }>(ajv: A): A {
  ajv.addKeyword({
    keyword: 'x-gitlab-boolean',
    modifying: true,
    errors: false,
    validate: (_schema: unknown, data: unknown, _parent: unknown, cxt?: { parentData: any; parentDataProperty: string | number }) => {
      const value = grapeBoolean(data);
      if (value === undefined) return false;
      if (cxt) cxt.parentData[cxt.parentDataProperty] = value;
      return true;
    },
  });
  return ajv;
}

/** A boolean parameter that accepts true/false/1/0 in any case. */
export const BooleanParam = (options: { default?: boolean } = {}) => Type.Unsafe<boolean>({ 'x-gitlab-boolean': true, ...options });

/** Database ids fit PostgreSQL's integer; larger numbers are invalid rather than a database error. */
export const IdInteger = (options: object = {}) => Type.Integer({ minimum: 1, maximum: 2147483647, ...options });

/** `:id` of a project or group: a number or a URL-encoded full path. */
export const PathOrIdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 1024 }) });

/** Free text capped so no parameter can carry megabytes into a query. */
export const Text = (options: object = {}) => Type.String({ maxLength: 10_000, ...options });

export const Optional = <T extends TSchema>(schema: T) => Type.Optional(schema);

/** A request URL's path with its percent-escapes decoded, without the query; null when the escapes are malformed. */
export function decodedPathname(url: string): string | null {
  const question = url.indexOf('?');
  try {
    return decodeURIComponent(question === -1 ? url : url.slice(0, question));
  } catch {
    return null;
  }
}
