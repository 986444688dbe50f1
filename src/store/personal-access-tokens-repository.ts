import type { Kysely, Selectable } from 'kysely';
import type { Database, PersonalAccessTokensTable, UsersTable } from './schema.js';
import { toUser, type User } from './users-repository.js';
import { compiledLookup } from './compiled-lookup.js';

export interface PersonalAccessToken {
  id: number;
  userId: number;
  name: string;
  scopes: string[];
  expiresAt: string | null;
  revoked: boolean;
  createdAt: string;
  lastUsedAt: string | null;
}

export interface NewPersonalAccessToken {
  userId: number;
  name: string;
  tokenDigest: string;
  scopes: string[];
  expiresAt: string | null;
  createdAt: string;
}

function toToken(row: Selectable<PersonalAccessTokensTable>): PersonalAccessToken {
  return {
    id: row.id,
    userId: row.user_id,
    name: row.name,
    scopes: JSON.parse(row.scopes) as string[],
    expiresAt: row.expires_at,
    revoked: row.revoked === 1,
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
  };
}

export class PersonalAccessTokensRepository {
  private readonly rowWithUserByDigest = compiledLookup(() => this.db, (db, digest: string) =>
    db
      .selectFrom('personal_access_tokens as t')
      .leftJoin('users as u', 'u.id', 't.user_id')
      .selectAll('t')
      .select([
        'u.id as u_id', 'u.username as u_username', 'u.name as u_name', 'u.email as u_email', 'u.password_digest as u_password_digest',
        'u.is_admin as u_is_admin', 'u.state as u_state', 'u.created_at as u_created_at',
      ])
      .where('t.token_digest', '=', digest),
  );

  constructor(private readonly db: Kysely<Database>) {}

  async insert(token: NewPersonalAccessToken): Promise<PersonalAccessToken> {
    const row = await this.db
      .insertInto('personal_access_tokens')
      .values({
        user_id: token.userId,
        name: token.name,
        token_digest: token.tokenDigest,
        scopes: JSON.stringify(token.scopes),
        expires_at: token.expiresAt,
        revoked: 0,
        created_at: token.createdAt,
        last_used_at: null,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return toToken(row);
  }

  async findByDigest(digest: string): Promise<PersonalAccessToken | undefined> {
    const row = await this.db.selectFrom('personal_access_tokens').selectAll().where('token_digest', '=', digest).executeTakeFirst();
    return row && toToken(row);
  }

  /** The token and its owner in one round trip: every authenticated request starts here. */
  async findByDigestWithUser(digest: string): Promise<{ token: PersonalAccessToken; user: User | undefined } | undefined> {
    const row = await this.rowWithUserByDigest(digest);
    if (!row) return undefined;
    const user = row.u_id === null ? undefined : toUser({
      id: row.u_id, username: row.u_username, name: row.u_name, email: row.u_email, password_digest: row.u_password_digest,
      is_admin: row.u_is_admin, state: row.u_state, created_at: row.u_created_at,
    } as Selectable<UsersTable>);
    return { token: toToken(row), user };
  }

  async findById(id: number): Promise<PersonalAccessToken | undefined> {
    const row = await this.db.selectFrom('personal_access_tokens').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toToken(row);
  }

  async listByUser(userId: number): Promise<PersonalAccessToken[]> {
    const rows = await this.db.selectFrom('personal_access_tokens').selectAll().where('user_id', '=', userId).orderBy('id').execute();
    return rows.map(toToken);
  }

  async revoke(id: number): Promise<void> {
    await this.db.updateTable('personal_access_tokens').set({ revoked: 1 }).where('id', '=', id).execute();
  }

  /** Recorded at most once a minute per token, so authentication stays a read on the hot path. */
  async touch(id: number, at: string): Promise<void> {
    await this.db.updateTable('personal_access_tokens').set({ last_used_at: at }).where('id', '=', id).execute();
  }
}
