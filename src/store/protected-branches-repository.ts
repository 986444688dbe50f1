import type { Kysely, Selectable } from 'kysely';
import type { Database, ProtectedBranchesTable } from './schema.js';

export interface ProtectedBranch {
  id: number;
  projectId: number;
  name: string;
  pushAccessLevel: number;
  mergeAccessLevel: number;
  allowForcePush: boolean;
  createdAt: string;
}

function toProtectedBranch(row: Selectable<ProtectedBranchesTable>): ProtectedBranch {
  return {
    id: row.id,
    projectId: row.project_id,
    name: row.name,
    pushAccessLevel: row.push_access_level,
    mergeAccessLevel: row.merge_access_level,
    allowForcePush: row.allow_force_push === 1,
    createdAt: row.created_at,
  };
}

export class ProtectedBranchesRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(b: Omit<ProtectedBranch, 'id'>): Promise<ProtectedBranch> {
    const row = await this.db
      .insertInto('protected_branches')
      .values({
        project_id: b.projectId,
        name: b.name,
        push_access_level: b.pushAccessLevel,
        merge_access_level: b.mergeAccessLevel,
        allow_force_push: b.allowForcePush ? 1 : 0,
        created_at: b.createdAt,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return toProtectedBranch(row);
  }

  /** Names are matched exactly (case-sensitive), as git compares branch names. */
  async find(projectId: number, name: string): Promise<ProtectedBranch | undefined> {
    const row = await this.db
      .selectFrom('protected_branches')
      .selectAll()
      .where('project_id', '=', projectId)
      .where('name', '=', name)
      .executeTakeFirst();
    return row && toProtectedBranch(row);
  }

  async listByProject(projectId: number): Promise<ProtectedBranch[]> {
    const rows = await this.db.selectFrom('protected_branches').selectAll().where('project_id', '=', projectId).orderBy('id').execute();
    return rows.map(toProtectedBranch);
  }

  async delete(id: number): Promise<void> {
    await this.db.deleteFrom('protected_branches').where('id', '=', id).execute();
  }
}
