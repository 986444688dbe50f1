import type { Kysely } from 'kysely';

/**
 * Browser sessions of the web UI (the session id is kept only as a digest, like tokens) and the time an
 * account was locked after too many failed sign-ins (`users.failed_sign_ins` counts them).
 */
export function webSessions() {
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createTable('web_sessions')
        .addColumn('id_digest', 'text', (c) => c.primaryKey())
        .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('csrf_token', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('web_sessions_user').on('web_sessions').column('user_id').execute();
      await db.schema.alterTable('users').addColumn('locked_at', 'text').execute();
    },
  };
}
