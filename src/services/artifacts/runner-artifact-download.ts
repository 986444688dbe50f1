import { forbidden, notFound } from '../../errors/api-error.js';
import type { JobArtifact } from '../../store/job-artifacts-repository.js';
import { AccessLevel } from '../access/access-level.js';
import type { Actor } from '../access/actor.js';
import { jobTokenMayReach } from '../access/job-token-scope.js';
import { projectAccessLevel } from '../access/memberships.js';
import { projectAbilitiesOf } from '../access/project-policy.js';
import type { ServiceContext } from '../context.js';
import { findJobByToken } from '../jobs/job-tokens.js';
import { tokenDigest } from '../security/secrets.js';

/**
 * `GET /jobs/:id/artifacts` for runners (runner protocol §4). The token of a running job downloads the
 * archive of a job it depends on (GitLab's `authenticate_job_via_dependent_job!`): the job must exist, its
 * project must be within the running job's job-token scope, the running job's user must read its jobs, and
 * the archive's access level must let them (`none` only within the same pipeline, where dependencies come
 * from). Any other token must be the job's own. Missing archive: 404.
 */
export async function archiveForRunner(ctx: ServiceContext, jobId: number, token: string | undefined): Promise<JobArtifact> {
  if (!token) throw forbidden();
  const holder = await findJobByToken(ctx, token);
  const job = await ctx.store.jobs.findById(jobId);
  if (holder) {
    if (!job || job.type !== 'build') throw forbidden();
    const project = await ctx.store.projects.findById(job.projectId);
    if (!project || !(await jobTokenMayReach(ctx, holder.projectId, project))) throw forbidden();
    const actor: Actor = { user: holder.user, scopes: null, tokenId: null, sudoFrom: null, jobToken: { jobId: holder.jobId, projectId: holder.projectId } };
    if (!(await projectAbilitiesOf(ctx, actor, project)).has('read_build')) throw forbidden();
    const archive = await ctx.store.jobArtifacts.findByJobAndType(job.id, 'archive');
    if (archive?.accessibility === 'none' && holder.job.pipelineId !== job.pipelineId) throw forbidden();
    if (archive?.accessibility === 'private' && (await projectAccessLevel(ctx, actor, project)) < AccessLevel.DEVELOPER) throw forbidden();
    if (!archive || archive.blobKey === null) throw notFound();
    return archive;
  }
  if (!job || job.type !== 'build') throw notFound();
  if (job.tokenDigest === null || job.tokenDigest !== tokenDigest(token)) throw forbidden();
  const archive = await ctx.store.jobArtifacts.findByJobAndType(job.id, 'archive');
  if (!archive || archive.blobKey === null) throw notFound();
  return archive;
}
