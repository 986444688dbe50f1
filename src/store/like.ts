import { sql, type RawBuilder } from 'kysely';

/** Case-insensitive substring match with LIKE wildcards in the term taken literally, on both dialects. */
export function containsInsensitive(column: string, term: string): RawBuilder<boolean> {
  const pattern = `%${term.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  return sql<boolean>`lower(${sql.ref(column)}) like ${pattern} escape '\\'`;
}
