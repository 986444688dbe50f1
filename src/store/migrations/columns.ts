import type { CreateTableBuilder } from 'kysely';
import type { Dialect } from '../db.js';

/** The auto-increment primary key, spelled the way each dialect wants it. */
export function idColumn<T extends string>(dialect: Dialect, table: CreateTableBuilder<T, never>): CreateTableBuilder<T, 'id'> {
  return dialect === 'postgres'
    ? table.addColumn('id', 'serial', (c) => c.primaryKey())
    : table.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement());
}
