import type { Kysely, Selectable } from 'kysely';
import type { Database, UsersTable } from './schema.js';
import { containsInsensitive } from './like.js';
import { fetchPage, type Page, type PageRequest } from './page.js';
import { compiledLookup, rowsByKeys } from './compiled-lookup.js';

export interface User {
  id: number;
  username: string;
  name: string;
  email: string;
  passwordDigest: string | null;
  isAdmin: boolean;
  state: 'active' | 'blocked';
  createdAt: string;
}

export interface NewUser {
  username: string;
  name: string;
  email: string;
  passwordDigest: string | null;
  isAdmin: boolean;
  createdAt: string;
}

export interface UserFilter {
  username?: string;
  search?: string;
  state?: 'active' | 'blocked';
}

export function toUser(row: Selectable<UsersTable>): User {
  return {
    id: row.id,
    username: row.username,
    name: row.name,
    email: row.email,
    passwordDigest: row.password_digest,
    isAdmin: row.is_admin === 1,
    state: row.state === 'blocked' ? 'blocked' : 'active',
    createdAt: row.created_at,
  };
}

export class UsersRepository {
  private readonly rowById = compiledLookup(() => this.db, (db, id: number) => db.selectFrom('users').selectAll().where('id', '=', id));

  constructor(private readonly db: Kysely<Database>) {}

  async insert(user: NewUser): Promise<User> {
    const row = await this.db
      .insertInto('users')
      .values({
        username: user.username,
        name: user.name,
        email: user.email,
        password_digest: user.passwordDigest,
        is_admin: user.isAdmin ? 1 : 0,
        state: 'active',
        created_at: user.createdAt,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return toUser(row);
  }

  async findById(id: number): Promise<User | undefined> {
    const row = await this.rowById(id);
    return row && toUser(row);
  }

  async findByIds(ids: number[]): Promise<Map<number, User>> {
    const rows = await rowsByKeys(ids, (id) => this.rowById(id), (unique) => this.db.selectFrom('users').selectAll().where('id', 'in', unique).execute());
    return new Map(rows.map((r) => [r.id, toUser(r)]));
  }

  async findByUsername(username: string): Promise<User | undefined> {
    const row = await this.db
      .selectFrom('users')
      .selectAll()
      .where((eb) => eb(eb.fn('lower', ['username']), '=', username.toLowerCase()))
      .executeTakeFirst();
    return row && toUser(row);
  }

  async findByEmail(email: string): Promise<User | undefined> {
    const row = await this.db
      .selectFrom('users')
      .selectAll()
      .where((eb) => eb(eb.fn('lower', ['email']), '=', email.toLowerCase()))
      .executeTakeFirst();
    return row && toUser(row);
  }

  async count(): Promise<number> {
    const row = await this.db.selectFrom('users').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async list(filter: UserFilter, page: PageRequest): Promise<Page<User>> {
    let q = this.db.selectFrom('users').selectAll();
    if (filter.username !== undefined) {
      q = q.where((eb) => eb(eb.fn('lower', ['username']), '=', filter.username!.toLowerCase()));
    }
    if (filter.search) {
      const term = filter.search;
      q = q.where((eb) =>
        eb.or([containsInsensitive('username', term), containsInsensitive('name', term), containsInsensitive('email', term)]),
      );
    }
    if (filter.state) q = q.where('state', '=', filter.state);
    const result = await fetchPage(this.db, q, page, 'id', 'asc');
    return { ...result, rows: result.rows.map(toUser) };
  }

  async setState(id: number, state: 'active' | 'blocked'): Promise<void> {
    await this.db.updateTable('users').set({ state }).where('id', '=', id).execute();
  }

  async setPasswordDigest(id: number, digest: string): Promise<void> {
    await this.db.updateTable('users').set({ password_digest: digest }).where('id', '=', id).execute();
  }
}

