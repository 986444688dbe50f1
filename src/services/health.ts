import { sql } from 'kysely';
import type { ServiceContext } from './context.js';

export async function checkDatabase(ctx: ServiceContext): Promise<boolean> {
  try {
    await sql`select 1`.execute(ctx.store.db);
    return true;
  } catch {
    return false;
  }
}
