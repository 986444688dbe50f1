import type { Kysely, Selectable } from 'kysely';
import type { CiVariablesTable, Database } from './schema.js';

export interface CiVariable {
  id: number;
  owner: VariableOwner;
  key: string;
  value: string;
  variableType: 'env_var' | 'file';
  protected: boolean;
  masked: boolean;
  raw: boolean;
  environmentScope: string;
  description: string | null;
  createdAt: string;
}

export type VariableOwner = { type: 'project' | 'group'; id: number };
export type CiVariableChanges = Partial<Pick<CiVariable, 'value' | 'variableType' | 'protected' | 'masked' | 'raw' | 'environmentScope' | 'description'>>;

function toVariable(row: Selectable<CiVariablesTable>): CiVariable {
  return {
    id: row.id,
    owner: row.project_id !== null ? { type: 'project', id: row.project_id } : { type: 'group', id: row.namespace_id! },
    key: row.key,
    value: row.value,
    variableType: row.variable_type === 'file' ? 'file' : 'env_var',
    protected: row.protected === 1,
    masked: row.masked === 1,
    raw: row.raw === 1,
    environmentScope: row.environment_scope,
    description: row.description,
    createdAt: row.created_at,
  };
}

export class CiVariablesRepository {
  constructor(private readonly db: Kysely<Database>) {}

  private scoped(owner: VariableOwner) {
    const q = this.db.selectFrom('ci_variables').selectAll();
    return owner.type === 'project' ? q.where('project_id', '=', owner.id) : q.where('namespace_id', '=', owner.id);
  }

  async list(owner: VariableOwner): Promise<CiVariable[]> {
    return (await this.scoped(owner).orderBy('id').execute()).map(toVariable);
  }

  /** Variables of several groups at once (a project's ancestors), for building job variables. */
  async listForGroups(groupIds: number[]): Promise<CiVariable[]> {
    if (groupIds.length === 0) return [];
    const rows = await this.db.selectFrom('ci_variables').selectAll().where('namespace_id', 'in', groupIds).orderBy('id').execute();
    return rows.map(toVariable);
  }

  async find(owner: VariableOwner, key: string, environmentScope?: string): Promise<CiVariable | undefined> {
    let q = this.scoped(owner).where('key', '=', key);
    if (environmentScope !== undefined) q = q.where('environment_scope', '=', environmentScope);
    const row = await q.orderBy('id').executeTakeFirst();
    return row && toVariable(row);
  }

  async insert(v: Omit<CiVariable, 'id'>): Promise<CiVariable> {
    const row = await this.db
      .insertInto('ci_variables')
      .values({
        project_id: v.owner.type === 'project' ? v.owner.id : null,
        namespace_id: v.owner.type === 'group' ? v.owner.id : null,
        key: v.key,
        value: v.value,
        variable_type: v.variableType,
        protected: v.protected ? 1 : 0,
        masked: v.masked ? 1 : 0,
        raw: v.raw ? 1 : 0,
        environment_scope: v.environmentScope,
        description: v.description,
        created_at: v.createdAt,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return toVariable(row);
  }

  async update(id: number, changes: CiVariableChanges): Promise<void> {
    const set: Record<string, unknown> = {};
    if (changes.value !== undefined) set.value = changes.value;
    if (changes.variableType !== undefined) set.variable_type = changes.variableType;
    if (changes.protected !== undefined) set.protected = changes.protected ? 1 : 0;
    if (changes.masked !== undefined) set.masked = changes.masked ? 1 : 0;
    if (changes.raw !== undefined) set.raw = changes.raw ? 1 : 0;
    if (changes.environmentScope !== undefined) set.environment_scope = changes.environmentScope;
    if (changes.description !== undefined) set.description = changes.description;
    if (Object.keys(set).length > 0) await this.db.updateTable('ci_variables').set(set).where('id', '=', id).execute();
  }

  async delete(id: number): Promise<void> {
    await this.db.deleteFrom('ci_variables').where('id', '=', id).execute();
  }
}
