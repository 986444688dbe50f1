import type { Kysely, Selectable } from 'kysely';
import type { Database, MembersTable } from './schema.js';

export type MemberSource = { type: 'namespace' | 'project'; id: number };

export interface Member {
  id: number;
  source: MemberSource;
  userId: number;
  accessLevel: number;
  expiresAt: string | null;
  createdById: number | null;
  createdAt: string;
}

function toMember(row: Selectable<MembersTable>): Member {
  return {
    id: row.id,
    source: { type: row.source_type, id: row.source_id },
    userId: row.user_id,
    accessLevel: row.access_level,
    expiresAt: row.expires_at,
    createdById: row.created_by_id,
    createdAt: row.created_at,
  };
}

export class MembersRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(m: Omit<Member, 'id'>): Promise<Member> {
    const row = await this.db
      .insertInto('members')
      .values({
        source_type: m.source.type,
        source_id: m.source.id,
        user_id: m.userId,
        access_level: m.accessLevel,
        expires_at: m.expiresAt,
        created_by_id: m.createdById,
        created_at: m.createdAt,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return toMember(row);
  }

  async find(source: MemberSource, userId: number): Promise<Member | undefined> {
    const row = await this.db
      .selectFrom('members')
      .selectAll()
      .where('source_type', '=', source.type)
      .where('source_id', '=', source.id)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return row && toMember(row);
  }

  async listBySources(sources: MemberSource[]): Promise<Member[]> {
    if (sources.length === 0) return [];
    const rows = await this.db
      .selectFrom('members')
      .selectAll()
      .where((eb) => eb.or(sources.map((s) => eb.and([eb('source_type', '=', s.type), eb('source_id', '=', s.id)]))))
      .orderBy('id')
      .execute();
    return rows.map(toMember);
  }

  async listByUser(userId: number): Promise<Member[]> {
    const rows = await this.db.selectFrom('members').selectAll().where('user_id', '=', userId).execute();
    return rows.map(toMember);
  }

  async update(id: number, changes: { accessLevel?: number; expiresAt?: string | null }): Promise<void> {
    const set: Record<string, unknown> = {};
    if (changes.accessLevel !== undefined) set.access_level = changes.accessLevel;
    if (changes.expiresAt !== undefined) set.expires_at = changes.expiresAt;
    if (Object.keys(set).length === 0) return;
    await this.db.updateTable('members').set(set).where('id', '=', id).execute();
  }

  async delete(id: number): Promise<void> {
    await this.db.deleteFrom('members').where('id', '=', id).execute();
  }

  async deleteBySource(source: MemberSource): Promise<void> {
    await this.db.deleteFrom('members').where('source_type', '=', source.type).where('source_id', '=', source.id).execute();
  }
}
