import type { Namespace } from '../../store/namespaces-repository.js';
import type { ServiceContext } from '../context.js';
import { AccessLevel } from './access-level.js';
import type { Actor } from './actor.js';
import { namespaceAccessLevel } from './memberships.js';

export type GroupAbility = 'read_group' | 'create_subgroup' | 'create_projects' | 'admin_group' | 'admin_group_member' | 'read_group_runners';

/** GitLab's GroupPolicy defaults: subgroups and runner lists by Maintainers, projects by Developers, settings and members by Owners. */
export function groupAbilities(group: Namespace, level: number, signedIn: boolean): Set<GroupAbility> {
  const abilities = new Set<GroupAbility>();
  const canSee = level >= AccessLevel.GUEST || group.visibility === 'public' || (group.visibility === 'internal' && signedIn);
  if (!canSee) return abilities;
  abilities.add('read_group');
  if (level >= AccessLevel.DEVELOPER) abilities.add('create_projects');
  if (level >= AccessLevel.MAINTAINER) abilities.add('create_subgroup').add('read_group_runners');
  if (level >= AccessLevel.OWNER) abilities.add('admin_group').add('admin_group_member');
  return abilities;
}

export async function canOnGroup(ctx: ServiceContext, actor: Actor, ability: GroupAbility, group: Namespace): Promise<boolean> {
  const level = await namespaceAccessLevel(ctx, actor, group);
  return groupAbilities(group, level, actor.user !== null).has(ability);
}
