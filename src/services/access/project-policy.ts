import type { Project } from '../../store/projects-repository.js';
import type { ServiceContext } from '../context.js';
import { AccessLevel } from './access-level.js';
import type { Actor } from './actor.js';
import { projectAccessLevel } from './memberships.js';

export type ProjectAbility =
  | 'read_project'
  | 'read_project_member'
  | 'admin_project_member'
  | 'admin_project'
  | 'remove_project'
  | 'download_code'
  | 'push_code'
  | 'read_pipeline'
  | 'create_pipeline'
  | 'read_build'
  | 'update_build'
  | 'cancel_build'
  | 'admin_build'
  | 'destroy_artifacts';

/**
 * GitLab's ProjectPolicy role table as one pure function: the abilities an actor with `level`
 * on `project` holds. Later issues add abilities here, never elsewhere.
 */
export function projectAbilities(project: Project, level: number, signedIn: boolean): Set<ProjectAbility> {
  const abilities = new Set<ProjectAbility>();
  const isMember = level >= AccessLevel.GUEST;
  const canSee = isMember || project.visibility === 'public' || (project.visibility === 'internal' && signedIn);
  if (!canSee) return abilities;
  abilities.add('read_project').add('read_project_member');
  if (level >= AccessLevel.REPORTER || project.visibility !== 'private') abilities.add('download_code');
  if (level >= AccessLevel.REPORTER || project.publicJobs) abilities.add('read_build');
  if (level >= AccessLevel.REPORTER || project.visibility !== 'private' || (isMember && project.publicJobs)) {
    abilities.add('read_pipeline');
  }
  if (level >= AccessLevel.DEVELOPER) {
    abilities.add('push_code').add('create_pipeline').add('update_build').add('cancel_build');
  }
  if (level >= AccessLevel.MAINTAINER) {
    abilities.add('admin_build').add('destroy_artifacts').add('admin_project').add('admin_project_member');
  }
  if (level >= AccessLevel.OWNER) abilities.add('remove_project');
  return abilities;
}

export async function projectAbilitiesOf(ctx: ServiceContext, actor: Actor, project: Project): Promise<Set<ProjectAbility>> {
  return projectAbilities(project, await projectAccessLevel(ctx, actor, project), actor.user !== null);
}

export async function can(ctx: ServiceContext, actor: Actor, ability: ProjectAbility, project: Project): Promise<boolean> {
  return (await projectAbilitiesOf(ctx, actor, project)).has(ability);
}
