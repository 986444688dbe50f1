import { invalidParam } from '../../errors/api-error.js';
import { grapeBoolean } from '../../http/params.js';
import { RUNNER_SCOPES, RUNNER_STATUSES, RUNNER_TYPES, type RunnerListFilters } from '../../services/runners/runner-lists.js';
import type { RunnerType } from '../../store/runners-repository.js';

type Query = Record<string, unknown>;

function stringParam(query: Query, key: string): string | undefined {
  const value = query[key];
  if (value === undefined) return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw invalidParam(key);
}

function oneOf<T extends string>(query: Query, key: string, values: readonly T[]): T | undefined {
  const value = stringParam(query, key);
  if (value !== undefined && !(values as readonly string[]).includes(value)) throw invalidParam(key, 'does not have a valid value');
  return value as T | undefined;
}

/** Grape's CommaSeparatedToArray: `a,b`, `tag_list[]=a&tag_list[]=b` or both, trimmed, empty entries dropped. */
function tagList(query: Query): string[] | undefined {
  const value = query.tag_list;
  if (value === undefined) return undefined;
  const parts = typeof value === 'string' ? [value] : Array.isArray(value) && value.every((v) => typeof v === 'string') ? (value as string[]) : null;
  if (!parts) throw invalidParam('tag_list');
  return [...new Set(parts.flatMap((p) => p.split(',')).map((t) => t.trim()).filter(Boolean))];
}

/**
 * The filters of GitLab's runner lists, checked in Grape's declaration order (`scope` only where the list has
 * it): `{"error": "<param> does not have a valid value"}` and friends.
 */
export function readRunnerFilters(query: Query, options: { scope: boolean }): RunnerListFilters {
  const scope = options.scope ? oneOf(query, 'scope', RUNNER_SCOPES) : undefined;
  const type = oneOf<RunnerType>(query, 'type', RUNNER_TYPES);
  let paused: boolean | undefined;
  if (query.paused !== undefined) {
    paused = grapeBoolean(query.paused);
    if (paused === undefined) throw invalidParam('paused');
  }
  const status = oneOf(query, 'status', RUNNER_STATUSES);
  const tags = tagList(query);
  const versionPrefix = stringParam(query, 'version_prefix');
  if (versionPrefix !== undefined && !/^[\d+.]+/.test(versionPrefix)) throw invalidParam('version_prefix');
  return { scope, type, paused, status, tags, versionPrefix };
}

/** A required integer id parameter read after authorization, as Grape checks it after `before` blocks. */
export function requiredId(value: unknown, name: string): number {
  if (value === undefined || value === null || value === '') throw invalidParam(name, 'is missing');
  const text = typeof value === 'number' ? String(value) : typeof value === 'string' ? value.trim() : '';
  if (!/^[-+]?\d+$/.test(text)) throw invalidParam(name);
  return Number(text);
}
