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
  | 'destroy_artifacts'
  | 'read_statistics'
  | 'read_project_runners'
  | 'admin_project_runners';

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
  if (level >= AccessLevel.REPORTER) abilities.add('read_statistics');
  if (level >= AccessLevel.REPORTER || project.visibility !== 'private' || (isMember && project.publicJobs)) {
    abilities.add('read_pipeline');
  }
  if (level >= AccessLevel.DEVELOPER) {
    abilities.add('push_code').add('create_pipeline').add('update_build').add('cancel_build');
  }
  if (level >= AccessLevel.MAINTAINER) {
    abilities.add('admin_build').add('destroy_artifacts').add('admin_project').add('admin_project_member');
    // Listing, assigning and unassigning runners (creating one is `admin_project` too, as GitLab's create_runner).
    abilities.add('read_project_runners').add('admin_project_runners');
  }
  if (level >= AccessLevel.OWNER) abilities.add('remove_project');
  return abilities;
}

export type JobAbility = 'read_build' | 'cancel_build' | 'update_build' | 'play_job' | 'erase_build';

/** What GitLab's BuildPolicy looks at beyond the project's abilities: the job's ref and who triggered it. */
export interface JobFacts {
  /** The job's ref is a protected branch (BuildPolicy's `unprotected_ref`, negated). */
  protectedRef: boolean;
  /** The caller may push **or** merge to the ref (`Gitlab::UserAccess#can_update_branch?`). */
  canUpdateRef: boolean;
  /** The caller triggered the job (`triggered_by?`). */
  ownerOfJob: boolean;
}

/**
 * GitLab's BuildPolicy refinements of the table above, for one job: every job write (cancel, retry, play,
 * erase) is refused on a ref the caller can neither push nor merge to; erasing needs `admin_build`, or
 * `update_build` on a job the caller triggered on an unprotected ref.
 */
export function jobAbilities(project: ReadonlySet<ProjectAbility>, facts: JobFacts): Set<JobAbility> {
  const abilities = new Set<JobAbility>();
  if (project.has('read_build')) abilities.add('read_build');
  if (!facts.canUpdateRef) return abilities;
  if (project.has('cancel_build')) abilities.add('cancel_build');
  if (project.has('update_build')) abilities.add('update_build').add('play_job');
  if (project.has('admin_build') || (project.has('update_build') && facts.ownerOfJob && !facts.protectedRef)) abilities.add('erase_build');
  return abilities;
}

export async function projectAbilitiesOf(ctx: ServiceContext, actor: Actor, project: Project): Promise<Set<ProjectAbility>> {
  return projectAbilities(project, await projectAccessLevel(ctx, actor, project), actor.user !== null);
}

export async function can(ctx: ServiceContext, actor: Actor, ability: ProjectAbility, project: Project): Promise<boolean> {
  return (await projectAbilitiesOf(ctx, actor, project)).has(ability);
}
