import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../db.js';
import { idColumn } from './columns.js';

export function identityAndProjects(dialect: Dialect) {
  return {
    async up(db: Kysely<any>): Promise<void> {
      await idColumn(dialect, db.schema.createTable('users'))
        .addColumn('username', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('email', 'text', (c) => c.notNull())
        .addColumn('password_digest', 'text')
        .addColumn('is_admin', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('state', 'text', (c) => c.notNull().defaultTo('active'))
        .addColumn('failed_sign_ins', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('users_username_unique').on('users').unique().expression(sql`lower(username)`).execute();
      await db.schema.createIndex('users_email_unique').on('users').unique().expression(sql`lower(email)`).execute();

      await idColumn(dialect, db.schema.createTable('personal_access_tokens'))
        .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('token_digest', 'text', (c) => c.notNull().unique())
        .addColumn('scopes', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'text')
        .addColumn('revoked', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('last_used_at', 'text')
        .execute();
      await db.schema.createIndex('personal_access_tokens_user').on('personal_access_tokens').column('user_id').execute();

      await idColumn(dialect, db.schema.createTable('namespaces'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('path', 'text', (c) => c.notNull())
        .addColumn('full_path', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('parent_id', 'integer', (c) => c.references('namespaces.id').onDelete('cascade'))
        .addColumn('owner_id', 'integer', (c) => c.references('users.id').onDelete('cascade'))
        .addColumn('visibility', 'text', (c) => c.notNull())
        .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('namespaces_full_path_unique').on('namespaces').unique().expression(sql`lower(full_path)`).execute();
      await db.schema.createIndex('namespaces_parent').on('namespaces').column('parent_id').execute();

      await idColumn(dialect, db.schema.createTable('projects'))
        .addColumn('namespace_id', 'integer', (c) => c.notNull().references('namespaces.id').onDelete('cascade'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('path', 'text', (c) => c.notNull())
        .addColumn('full_path', 'text', (c) => c.notNull())
        .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('visibility', 'text', (c) => c.notNull())
        .addColumn('default_branch', 'text')
        .addColumn('public_jobs', 'integer', (c) => c.notNull().defaultTo(1))
        .addColumn('ci_config_path', 'text')
        .addColumn('creator_id', 'integer', (c) => c.references('users.id').onDelete('set null'))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addColumn('last_activity_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('projects_full_path_unique').on('projects').unique().expression(sql`lower(full_path)`).execute();
      await db.schema.createIndex('projects_namespace').on('projects').column('namespace_id').execute();

      await idColumn(dialect, db.schema.createTable('members'))
        .addColumn('source_type', 'text', (c) => c.notNull())
        .addColumn('source_id', 'integer', (c) => c.notNull())
        .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('access_level', 'integer', (c) => c.notNull())
        .addColumn('expires_at', 'text')
        .addColumn('created_by_id', 'integer')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('members_source_user_unique').on('members').unique()
        .columns(['source_type', 'source_id', 'user_id']).execute();
      await db.schema.createIndex('members_user').on('members').column('user_id').execute();
    },
  };
}
