import { conflict, forbidden, invalidParam, modelInvalid, notFound } from '../../errors/api-error.js';
import type { Page, PageRequest } from '../../store/page.js';
import type { User, UserFilter } from '../../store/users-repository.js';
import type { Actor } from '../access/actor.js';
import { isoNow, type ServiceContext } from '../context.js';
import { hashPassword } from '../security/password.js';
import { validatePath } from '../projects/paths.js';

export interface NewUserInput {
  username: string;
  name: string;
  email: string;
  password?: string;
  reset_password?: boolean;
  force_random_password?: boolean;
  admin?: boolean;
}

export const MIN_PASSWORD_LENGTH = 8;

function requireAdmin(actor: Actor): void {
  if (!actor.user?.isAdmin) throw forbidden();
}

/** Creates a user and the personal namespace that carries their projects. */
export async function insertUserWithNamespace(
  ctx: ServiceContext,
  input: { username: string; name: string; email: string; password: string | null; isAdmin: boolean },
): Promise<User> {
  const now = isoNow(ctx);
  return ctx.store.transaction(async (store) => {
    const user = await store.users.insert({
      username: input.username,
      name: input.name,
      email: input.email,
      passwordDigest: input.password === null ? null : await hashPassword(input.password),
      isAdmin: input.isAdmin,
      createdAt: now,
    });
    await store.namespaces.insert({
      name: input.name,
      path: input.username,
      fullPath: input.username,
      kind: 'user',
      parentId: null,
      ownerId: user.id,
      visibility: 'public',
      description: '',
      createdAt: now,
    });
    return user;
  });
}

export async function createUser(ctx: ServiceContext, actor: Actor, input: NewUserInput): Promise<User> {
  requireAdmin(actor);
  const passwordWays = [input.password !== undefined, input.reset_password === true, input.force_random_password === true].filter(Boolean);
  if (passwordWays.length !== 1) {
    throw invalidParam('password, reset_password, force_random_password', 'are missing, exactly one parameter must be provided');
  }
  const errors: Record<string, string[]> = {};
  const pathProblem = validatePath(input.username);
  if (pathProblem) errors.username = [pathProblem];
  if (!/^[^@\s]+@[^@\s]+$/.test(input.email)) errors.email = ['is invalid'];
  if (input.password !== undefined && input.password.length < MIN_PASSWORD_LENGTH) {
    errors.password = [`is too short (minimum is ${MIN_PASSWORD_LENGTH} characters)`];
  }
  if (!input.name.trim()) errors.name = ["can't be blank"];
  if (Object.keys(errors).length > 0) throw modelInvalid(errors);
  if (await ctx.store.users.findByEmail(input.email)) throw conflict('Email has already been taken');
  if ((await ctx.store.users.findByUsername(input.username)) || (await ctx.store.namespaces.findByFullPath(input.username))) {
    throw conflict('Username has already been taken');
  }
  const password = input.password ?? null;
  return insertUserWithNamespace(ctx, { ...input, password, isAdmin: input.admin === true });
}

export async function findUser(ctx: ServiceContext, id: number): Promise<User> {
  const user = await ctx.store.users.findById(id);
  if (!user) throw notFound('User');
  return user;
}

export function listUsers(ctx: ServiceContext, filter: UserFilter, page: PageRequest): Promise<Page<User>> {
  return ctx.store.users.list(filter, page);
}

/** `POST /users/:id/block|unblock`; GitLab answers `true` when the state changed. */
export async function setUserBlocked(ctx: ServiceContext, actor: Actor, id: number, blocked: boolean): Promise<boolean> {
  requireAdmin(actor);
  const user = await findUser(ctx, id);
  if (blocked && user.id === actor.user!.id) throw forbidden('You cannot block yourself');
  if (!blocked && user.state !== 'blocked') return true;
  if (blocked && user.state === 'blocked') return true;
  await ctx.store.users.setState(id, blocked ? 'blocked' : 'active');
  return true;
}
