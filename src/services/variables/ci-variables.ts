import { conflict, forbidden, modelInvalid, notFound } from '../../errors/api-error.js';
import type { CiVariable, CiVariableChanges, VariableOwner } from '../../store/ci-variables-repository.js';
import type { Actor } from '../access/actor.js';
import { canOnGroup } from '../access/group-policy.js';
import { can } from '../access/project-policy.js';
import { isoNow, type ServiceContext } from '../context.js';
import { findGroup } from '../groups/groups.js';
import { findProject } from '../projects/projects.js';

export interface VariableInput {
  key?: string;
  value?: string;
  variable_type?: 'env_var' | 'file';
  protected?: boolean;
  masked?: boolean;
  raw?: boolean;
  environment_scope?: string;
  description?: string | null;
}

const KEY_PATTERN = /^[a-zA-Z0-9_]+$/;
/** GitLab's rule for maskable values: at least 8 characters, one line, Base64 alphabet plus `@:.~-` and similar. */
const MASKABLE = /^[a-zA-Z0-9_+=/@:.~\-]{8,}$/;

/** CI/CD variables belong to a project or a group; Maintainers (and above) manage them, as in GitLab. */
export async function resolveVariableOwner(ctx: ServiceContext, actor: Actor, kind: 'project' | 'group', idOrPath: string): Promise<VariableOwner> {
  if (kind === 'project') {
    const project = await findProject(ctx, actor, idOrPath);
    if (!(await can(ctx, actor, 'admin_project', project))) throw forbidden();
    return { type: 'project', id: project.id };
  }
  const group = await findGroup(ctx, actor, idOrPath);
  if (!(await canOnGroup(ctx, actor, 'create_subgroup', group))) throw forbidden();
  return { type: 'group', id: group.id };
}

function validate(input: VariableInput, current?: CiVariable): void {
  const errors: Record<string, string[]> = {};
  if (input.key !== undefined && (!KEY_PATTERN.test(input.key) || input.key.length > 255)) {
    errors.key = ["can contain only letters, digits and '_'."];
  }
  const masked = input.masked ?? current?.masked ?? false;
  const value = input.value ?? current?.value ?? '';
  if (masked && !MASKABLE.test(value)) errors.value = ['is invalid'];
  if (value.length > 10_000) errors.value = ['is too long (maximum is 10000 characters)'];
  if (Object.keys(errors).length > 0) throw modelInvalid(errors);
}

export function listVariables(ctx: ServiceContext, owner: VariableOwner): Promise<CiVariable[]> {
  return ctx.store.ciVariables.list(owner);
}

export async function findVariable(ctx: ServiceContext, owner: VariableOwner, key: string, environmentScope?: string): Promise<CiVariable> {
  const variable = await ctx.store.ciVariables.find(owner, key, environmentScope);
  if (!variable) throw notFound('Variable');
  return variable;
}

export async function createVariable(ctx: ServiceContext, owner: VariableOwner, input: VariableInput & { key: string; value: string }): Promise<CiVariable> {
  validate(input);
  const scope = input.environment_scope ?? '*';
  if (await ctx.store.ciVariables.find(owner, input.key, scope)) {
    throw modelInvalid({ key: [`(${input.key}) has already been taken`] });
  }
  return ctx.store.ciVariables.insert({
    owner,
    key: input.key,
    value: input.value,
    variableType: input.variable_type ?? 'env_var',
    protected: input.protected ?? false,
    masked: input.masked ?? false,
    raw: input.raw ?? false,
    environmentScope: scope,
    description: input.description ?? null,
    createdAt: isoNow(ctx),
  });
}

export async function updateVariable(ctx: ServiceContext, owner: VariableOwner, key: string, input: VariableInput, environmentScope?: string): Promise<CiVariable> {
  const current = await findVariable(ctx, owner, key, environmentScope);
  validate(input, current);
  const changes: CiVariableChanges = {
    value: input.value,
    variableType: input.variable_type,
    protected: input.protected,
    masked: input.masked,
    raw: input.raw,
    environmentScope: input.environment_scope,
    description: input.description === undefined ? undefined : input.description,
  };
  if (input.environment_scope !== undefined && input.environment_scope !== current.environmentScope) {
    if (await ctx.store.ciVariables.find(owner, key, input.environment_scope)) throw conflict(`Variable ${key} with that scope exists`);
  }
  await ctx.store.ciVariables.update(current.id, changes);
  return findVariable(ctx, owner, key, input.environment_scope ?? current.environmentScope);
}

export async function deleteVariable(ctx: ServiceContext, owner: VariableOwner, key: string, environmentScope?: string): Promise<void> {
  const current = await findVariable(ctx, owner, key, environmentScope);
  await ctx.store.ciVariables.delete(current.id);
}
