import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

export interface WebSession {
  idDigest: string;
  userId: number;
  csrfToken: string;
  createdAt: string;
  expiresAt: string;
}

/** What sign-in needs about a user's failed attempts (Devise's lockable columns). */
export interface SignInState {
  failedSignIns: number;
  lockedAt: string | null;
}

/** Web UI sessions, and the sign-in counters kept on users. */
export class WebSessionsRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(session: WebSession): Promise<void> {
    await this.db
      .insertInto('web_sessions')
      .values({ id_digest: session.idDigest, user_id: session.userId, csrf_token: session.csrfToken, created_at: session.createdAt, expires_at: session.expiresAt })
      .execute();
  }

  async find(idDigest: string): Promise<WebSession | undefined> {
    const row = await this.db.selectFrom('web_sessions').selectAll().where('id_digest', '=', idDigest).executeTakeFirst();
    return row && { idDigest: row.id_digest, userId: row.user_id, csrfToken: row.csrf_token, createdAt: row.created_at, expiresAt: row.expires_at };
  }

  async extend(idDigest: string, expiresAt: string): Promise<void> {
    await this.db.updateTable('web_sessions').set({ expires_at: expiresAt }).where('id_digest', '=', idDigest).execute();
  }

  async delete(idDigest: string): Promise<void> {
    await this.db.deleteFrom('web_sessions').where('id_digest', '=', idDigest).execute();
  }

  async deleteExpired(now: string): Promise<void> {
    await this.db.deleteFrom('web_sessions').where('expires_at', '<=', now).execute();
  }

  async signInState(userId: number): Promise<SignInState> {
    const row = await this.db.selectFrom('users').select(['failed_sign_ins', 'locked_at']).where('id', '=', userId).executeTakeFirst();
    return { failedSignIns: Number(row?.failed_sign_ins ?? 0), lockedAt: row?.locked_at ?? null };
  }

  /** Counts one more failure in the database (concurrent attempts all count) and answers the new count. */
  async countFailedSignIn(userId: number): Promise<number> {
    await this.db.updateTable('users').set((eb) => ({ failed_sign_ins: eb('failed_sign_ins', '+', 1) })).where('id', '=', userId).execute();
    return (await this.signInState(userId)).failedSignIns;
  }

  async lock(userId: number, at: string): Promise<void> {
    await this.db.updateTable('users').set({ locked_at: at }).where('id', '=', userId).execute();
  }

  async resetSignInState(userId: number): Promise<void> {
    await this.db.updateTable('users').set({ failed_sign_ins: 0, locked_at: null }).where('id', '=', userId).execute();
  }
}
