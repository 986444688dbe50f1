import { forbidden, notFound } from '../../errors/api-error.js';
import type { JobArtifact } from '../../store/job-artifacts-repository.js';
import type { Job } from '../../store/jobs-repository.js';
import type { Project } from '../../store/projects-repository.js';
import { AccessLevel } from '../access/access-level.js';
import { anonymousActor, type Actor } from '../access/actor.js';
import { outsideJobTokenScope } from '../access/job-token-scope.js';
import { projectAccessLevel } from '../access/memberships.js';
import { projectAbilitiesOf, type ProjectAbility } from '../access/project-policy.js';
import type { ServiceContext } from '../context.js';
import { findProject } from '../projects/projects.js';
import { accessibilityOf } from './artifact-types.js';

/**
 * The project of an artifact route, as GitLab's `find_project!` and `authorize!` see it: not visible → 404
 * Project Not Found; a job token from a project outside this one's job-token scope → 403 (on a public
 * project it is read as an anonymous caller instead); then the project ability (403). Answers the actor
 * the later checks must use.
 */
export async function artifactProject(ctx: ServiceContext, actor: Actor, idOrPath: string, ability: ProjectAbility): Promise<{ project: Project; actor: Actor }> {
  const project = await findProject(ctx, actor, idOrPath);
  let effective = actor;
  if (await outsideJobTokenScope(ctx, actor, project)) {
    if (project.visibility !== 'public') {
      const source = await ctx.store.projects.findById(actor.jobToken!.projectId);
      throw forbidden(`Authentication by CI/CD job token not allowed from ${source?.fullPath ?? 'another project'} to ${project.fullPath}.`);
    }
    effective = anonymousActor();
  }
  const abilities = await projectAbilitiesOf(ctx, effective, project);
  if (!abilities.has(ability)) throw forbidden();
  return { project, actor: effective };
}

/**
 * GitLab's `read_job_artifacts` on top of `read_build`: `public` artifacts for every reader of the job,
 * `private` ones (`artifacts:public: false`, `artifacts:access: developer`) for Developers and above,
 * `none` for no one.
 */
export async function mayReadArtifact(ctx: ServiceContext, actor: Actor, project: Project, artifact: Pick<JobArtifact, 'accessibility'>): Promise<boolean> {
  if (artifact.accessibility === 'public') return true;
  if (artifact.accessibility === 'none') return false;
  return (await projectAccessLevel(ctx, actor, project)) >= AccessLevel.DEVELOPER;
}

/** The job's artifact of a type that has a stored file, else GitLab's `404 Not Found`. */
export async function storedArtifact(ctx: ServiceContext, job: Job, fileType: string): Promise<JobArtifact> {
  const artifact = await ctx.store.jobArtifacts.findByJobAndType(job.id, fileType);
  if (!artifact || artifact.blobKey === null) throw notFound();
  return artifact;
}

/** The archive of a job the actor may download (403 for a restricted archive, 404 without one). */
export async function readableArchive(ctx: ServiceContext, actor: Actor, project: Project, job: Job): Promise<JobArtifact> {
  const archive = await ctx.store.jobArtifacts.findByJobAndType(job.id, 'archive');
  // GitLab checks read_job_artifacts on the build (its access setting) before the file's existence.
  const accessibility = archive?.accessibility ?? accessibilityOf(job);
  if (!(await mayReadArtifact(ctx, actor, project, { accessibility }))) throw forbidden();
  if (!archive || archive.blobKey === null) throw notFound();
  return archive;
}
