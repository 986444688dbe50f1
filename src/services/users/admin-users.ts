import { forbidden } from '../../errors/api-error.js';
import type { Page, PageRequest } from '../../store/page.js';
import type { User, UserFilter } from '../../store/users-repository.js';
import { isAdmin, type Actor } from '../access/actor.js';
import type { ServiceContext } from '../context.js';
import { listUsers } from './users.js';

/** The admin area's user list (with emails and roles): administrators only. */
export async function listUsersAsAdmin(ctx: ServiceContext, actor: Actor, filter: UserFilter, page: PageRequest): Promise<Page<User>> {
  if (!isAdmin(actor)) throw forbidden();
  return listUsers(ctx, filter, page);
}
