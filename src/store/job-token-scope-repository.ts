import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

/** A project's inbound CI/CD job-token scope: whether it is limited and which projects it lets in. */
export class JobTokenScopeRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** Limited unless switched off (GitLab's default for projects made since 15.9). */
  async inboundEnabled(projectId: number): Promise<boolean> {
    const row = await this.db.selectFrom('job_token_scope_settings').select('inbound_enabled').where('project_id', '=', projectId).executeTakeFirst();
    return row ? row.inbound_enabled === 1 : true;
  }

  async setInboundEnabled(projectId: number, enabled: boolean): Promise<void> {
    const value = enabled ? 1 : 0;
    await this.db
      .insertInto('job_token_scope_settings')
      .values({ project_id: projectId, inbound_enabled: value })
      .onConflict((oc) => oc.column('project_id').doUpdateSet({ inbound_enabled: value }))
      .execute();
  }

  async allows(projectId: number, targetProjectId: number): Promise<boolean> {
    const row = await this.db
      .selectFrom('job_token_allowlist')
      .select('project_id')
      .where('project_id', '=', projectId)
      .where('target_project_id', '=', targetProjectId)
      .executeTakeFirst();
    return row !== undefined;
  }

  async allowedProjectIds(projectId: number): Promise<number[]> {
    const rows = await this.db.selectFrom('job_token_allowlist').select('target_project_id').where('project_id', '=', projectId).orderBy('created_at').orderBy('target_project_id').execute();
    return rows.map((r) => r.target_project_id);
  }

  /** Adds a project; false when it was already allowed. */
  async add(projectId: number, targetProjectId: number, createdAt: string): Promise<boolean> {
    const result = await this.db
      .insertInto('job_token_allowlist')
      .values({ project_id: projectId, target_project_id: targetProjectId, created_at: createdAt })
      .onConflict((oc) => oc.columns(['project_id', 'target_project_id']).doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  async remove(projectId: number, targetProjectId: number): Promise<boolean> {
    const result = await this.db.deleteFrom('job_token_allowlist').where('project_id', '=', projectId).where('target_project_id', '=', targetProjectId).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }
}
