import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

/** Instance-wide settings as name/value pairs (GitLab's application_settings row). */
export class ApplicationSettingsRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async get(name: string): Promise<string | undefined> {
    const row = await this.db.selectFrom('application_settings').select('value').where('name', '=', name).executeTakeFirst();
    return row?.value;
  }

  async set(name: string, value: string): Promise<void> {
    await this.db
      .insertInto('application_settings')
      .values({ name, value })
      .onConflict((oc) => oc.column('name').doUpdateSet({ value }))
      .execute();
  }

  /** Stores `value` unless the setting exists; returns what is stored (the first writer wins across processes). */
  async getOrCreate(name: string, value: string): Promise<string> {
    await this.db.insertInto('application_settings').values({ name, value }).onConflict((oc) => oc.column('name').doNothing()).execute();
    return (await this.get(name)) ?? value;
  }
}
