import type { Runner } from '../../store/runners-repository.js';
import type { ServiceContext } from '../context.js';
import { AccessLevel } from './access-level.js';
import { isAdmin, type Actor } from './actor.js';
import { namespaceAccessLevel, projectAccessLevel } from './memberships.js';

export type RunnerAbility = 'read_runner' | 'read_builds' | 'update_runner' | 'delete_runner' | 'assign_runner';

/** What GitLab's RunnerPolicy looks at beside the runner row. */
export interface RunnerFacts {
  /** The projects a project runner serves (the first is its owner). */
  projectIds: number[];
  /** The caller's highest membership level on any of those projects. */
  projectLevel: number;
  /** The caller's membership level on a group runner's group (inherited from its ancestors). */
  groupLevel: number;
}

/**
 * GitLab 17.x's Ci::RunnerPolicy as one pure function. Admins hold everything. Any signed-in user reads
 * instance runners. Group runners: Maintainers of the group read them and their jobs, Owners change and
 * delete them. Project runners: a Maintainer of a project the runner serves reads, changes and assigns it
 * (for a runner of one project that project is the owner; a runner shared with more projects is available to
 * each project's Maintainers), but a locked runner is not assigned further and one serving several
 * projects is not deleted, except by admins.
 */
export function runnerAbilities(runner: Runner, facts: RunnerFacts, caller: { signedIn: boolean; admin: boolean }): Set<RunnerAbility> {
  const abilities = new Set<RunnerAbility>();
  if (!caller.signedIn) return abilities;
  if (caller.admin) return new Set(['read_runner', 'read_builds', 'update_runner', 'delete_runner', 'assign_runner']);
  switch (runner.runnerType) {
    case 'instance_type':
      abilities.add('read_runner');
      break;
    case 'group_type':
      if (facts.groupLevel >= AccessLevel.MAINTAINER) abilities.add('read_runner').add('read_builds');
      if (facts.groupLevel >= AccessLevel.OWNER) abilities.add('update_runner').add('delete_runner');
      break;
    case 'project_type':
      if (facts.projectLevel >= AccessLevel.MAINTAINER) {
        abilities.add('read_runner').add('read_builds').add('update_runner');
        if (!runner.locked) abilities.add('assign_runner');
        if (facts.projectIds.length <= 1) abilities.add('delete_runner');
      }
      break;
  }
  return abilities;
}

/** The facts for one runner and caller: its projects and the caller's own levels on them (not admin rights). */
export async function runnerFacts(ctx: ServiceContext, actor: Actor, runner: Runner): Promise<RunnerFacts> {
  const facts: RunnerFacts = { projectIds: [], projectLevel: AccessLevel.NO_ACCESS, groupLevel: AccessLevel.NO_ACCESS };
  if (runner.runnerType === 'project_type') {
    facts.projectIds = await ctx.store.runners.projectIds(runner.id);
    if (actor.user && !isAdmin(actor)) {
      const projects = await ctx.store.projects.findByIds(facts.projectIds);
      for (const project of projects.values()) facts.projectLevel = Math.max(facts.projectLevel, await projectAccessLevel(ctx, actor, project));
    }
  } else if (runner.runnerType === 'group_type' && runner.groupId !== null && actor.user && !isAdmin(actor)) {
    const group = await ctx.store.namespaces.findById(runner.groupId);
    if (group) facts.groupLevel = await namespaceAccessLevel(ctx, actor, group);
  }
  return facts;
}

export async function runnerAbilitiesOf(ctx: ServiceContext, actor: Actor, runner: Runner): Promise<{ abilities: Set<RunnerAbility>; facts: RunnerFacts }> {
  const facts = await runnerFacts(ctx, actor, runner);
  return { abilities: runnerAbilities(runner, facts, { signedIn: actor.user !== null, admin: isAdmin(actor) }), facts };
}
