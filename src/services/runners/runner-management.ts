import { ApiError, forbidden, modelInvalid, notFound, recordNotFound } from '../../errors/api-error.js';
import type { RunnerDetailsView } from '../../entities/runner.js';
import type { RunnerManager } from '../../store/runner-managers-repository.js';
import type { Project } from '../../store/projects-repository.js';
import type { Runner } from '../../store/runners-repository.js';
import { AccessLevel } from '../access/access-level.js';
import { isAdmin, type Actor } from '../access/actor.js';
import { namespaceAccessLevel, projectAccessLevel } from '../access/memberships.js';
import { runnerAbilitiesOf, type RunnerAbility, type RunnerFacts } from '../access/runner-policy.js';
import { isoNow, type ServiceContext } from '../context.js';
import { projectViews } from '../projects/project-views.js';
import { isRunnerManagerShown, runnerChanged } from './runner-authentication.js';
import { deleteRunner, resetRunnerToken, runnerSettings, type RunnerSettingsInput } from './runner-registration.js';

const noAccess = () => forbidden('No access granted');

/** A runner by id; unknown ids are ActiveRecord's `404 Not found` (GitLab looks runners up with `find`). */
export async function findRunner(ctx: ServiceContext, id: number): Promise<Runner> {
  const runner = Number.isSafeInteger(id) && id > 0 && id < 2 ** 31 ? await ctx.store.runners.findById(id) : undefined;
  if (!runner) throw recordNotFound();
  return runner;
}

/** GitLab's `authenticate_show_runner!`: instance runners are for everyone signed in, others need `read_runner`. */
async function readableRunner(ctx: ServiceContext, actor: Actor, id: number) {
  const runner = await findRunner(ctx, id);
  const { abilities, facts } = await runnerAbilitiesOf(ctx, actor, runner);
  if (runner.runnerType !== 'instance_type' && !abilities.has('read_runner')) throw noAccess();
  return { runner, abilities, facts };
}

/** The managers GitLab would list for a runner (the legacy placeholder left out), oldest first. */
async function shownManagers(ctx: ServiceContext, runner: Runner): Promise<RunnerManager[]> {
  return (await ctx.store.runnerManagers.listByRunner(runner.id)).filter(isRunnerManagerShown);
}

/** RunnerDetails for this caller: only the projects and group they are a member of (admins see all). */
async function detailsView(ctx: ServiceContext, actor: Actor, runner: Runner, abilities: Set<RunnerAbility>, facts: RunnerFacts): Promise<RunnerDetailsView> {
  const managers = await shownManagers(ctx, runner);
  const latestManager = managers.reduce<RunnerManager | null>((latest, m) => {
    if (!latest) return m;
    // Newest contact first, never-contacted last (PostgreSQL's DESC NULLS LAST, as GitLab orders them).
    return (m.contactedAt ?? '') > (latest.contactedAt ?? '') || (m.contactedAt === latest.contactedAt && m.id > latest.id) ? m : latest;
  }, null);
  const admin = isAdmin(actor);
  const projects = [];
  const found = await ctx.store.projects.findByIds(facts.projectIds);
  for (const id of facts.projectIds) {
    const project = found.get(id);
    if (project && (admin || (await projectAccessLevel(ctx, actor, project)) >= AccessLevel.GUEST)) projects.push(project);
  }
  const groups = [];
  if (runner.runnerType === 'group_type' && runner.groupId !== null) {
    const group = await ctx.store.namespaces.findById(runner.groupId);
    if (group && (admin || (await namespaceAccessLevel(ctx, actor, group)) >= AccessLevel.GUEST)) groups.push(group);
  }
  return { runner, latestManager, projects: await projectViews(ctx, projects), groups, showMaintenanceNote: abilities.has('update_runner') };
}

/** `GET /runners/:id`. */
export async function showRunner(ctx: ServiceContext, actor: Actor, id: number): Promise<RunnerDetailsView> {
  const { runner, abilities, facts } = await readableRunner(ctx, actor, id);
  return detailsView(ctx, actor, runner, abilities, facts);
}

/** `GET /runners/:id/managers`. */
export async function listRunnerManagers(ctx: ServiceContext, actor: Actor, id: number): Promise<RunnerManager[]> {
  const { runner } = await readableRunner(ctx, actor, id);
  return shownManagers(ctx, runner);
}

/** What `PUT /runners/:id` takes (`maximum_timeout: null` clears the limit). */
export type RunnerUpdateInput = Pick<
  RunnerSettingsInput,
  'description' | 'active' | 'paused' | 'tag_list' | 'run_untagged' | 'locked' | 'access_level' | 'maintenance_note'
> & { maximum_timeout?: number | null };

const UPDATABLE = ['description', 'active', 'paused', 'tag_list', 'run_untagged', 'locked', 'access_level', 'maximum_timeout', 'maintenance_note'] as const;

/** Grape's `at_least_one_of` and `mutually_exclusive` for `PUT /runners/:id`, checked before the runner is looked up. */
export function checkRunnerUpdate(input: RunnerUpdateInput): void {
  if (UPDATABLE.every((key) => input[key] === undefined)) {
    throw new ApiError(400, { error: `${UPDATABLE.join(', ')} are missing, at least one parameter must be provided` });
  }
  if (input.active !== undefined && input.paused !== undefined) throw new ApiError(400, { error: 'active, paused are mutually exclusive' });
}

/** `PUT /runners/:id`: admins, or whoever may update the runner; GitLab's model validations on the result. */
export async function updateRunner(ctx: ServiceContext, actor: Actor, id: number, input: RunnerUpdateInput): Promise<RunnerDetailsView> {
  checkRunnerUpdate(input);
  const runner = await findRunner(ctx, id);
  const { abilities, facts } = await runnerAbilitiesOf(ctx, actor, runner);
  if (!abilities.has('update_runner')) throw noAccess();
  const changes = runnerSettings(input as RunnerSettingsInput);
  const errors: Record<string, string[]> = {};
  if ((changes.description?.length ?? 0) > 1024) errors.description = ['is too long (maximum is 1024 characters)'];
  if ((changes.maintenanceNote?.length ?? 0) > 1024) errors.maintenance_note = ['is too long (maximum is 1024 characters)'];
  if (!(changes.runUntagged ?? runner.runUntagged) && (changes.tagList ?? runner.tagList).length === 0) {
    errors.tags_list = ['can not be empty when runner is not allowed to pick untagged jobs'];
  }
  if (Object.keys(errors).length > 0) throw modelInvalid(errors);
  await ctx.store.runners.update(runner.id, changes);
  runnerChanged(ctx, runner.id);
  return detailsView(ctx, actor, await findRunner(ctx, runner.id), abilities, facts);
}

/** `DELETE /runners/:id`: a runner serving several projects is deleted by admins only. */
export async function removeRunner(ctx: ServiceContext, actor: Actor, id: number): Promise<void> {
  const runner = await findRunner(ctx, id);
  const { abilities, facts } = await runnerAbilitiesOf(ctx, actor, runner);
  if (!isAdmin(actor)) {
    if (facts.projectIds.length > 1) throw forbidden('Runner associated with more than one project');
    if (!abilities.has('delete_runner')) throw noAccess();
  }
  await deleteRunner(ctx, runner);
}

/** `POST /runners/:id/reset_authentication_token`: a new token for whoever may update the runner. */
export async function resetRunnerTokenAs(ctx: ServiceContext, actor: Actor, id: number): Promise<{ token: string; token_expires_at: string | null }> {
  const runner = await findRunner(ctx, id);
  const { abilities } = await runnerAbilitiesOf(ctx, actor, runner);
  if (!abilities.has('update_runner')) throw noAccess();
  return resetRunnerToken(ctx, runner);
}

/**
 * `POST /projects/:id/runners` (the project already authorized, see projectForRunners): assigns another project's runner to this one. Group runners never move;
 * non-admins may not take locked runners, nor runners they may not assign. GitLab's AssignRunnerService
 * answers `400 failed to assign runner` for a runner already there (and cannot turn instance runners into
 * project runners).
 */
export async function enableProjectRunner(ctx: ServiceContext, actor: Actor, project: Project, runnerId: number): Promise<Runner> {
  const runner = await findRunner(ctx, runnerId);
  if (runner.runnerType === 'group_type') throw forbidden('Runner is a group runner');
  if (!isAdmin(actor)) {
    if (runner.locked) throw forbidden('Runner is locked');
    const { abilities } = await runnerAbilitiesOf(ctx, actor, runner);
    if (!abilities.has('assign_runner')) throw noAccess();
  }
  const assigned = await ctx.store.runners.projectIds(runner.id);
  if (runner.runnerType !== 'project_type' || assigned.includes(project.id)) throw new ApiError(400, { message: 'failed to assign runner' });
  await ctx.store.runners.assignProject(runner.id, project.id, isoNow(ctx));
  runnerChanged(ctx, runner.id);
  return runner;
}

/** `DELETE /projects/:id/runners/:runner_id` (the project already authorized): its last project keeps a runner (delete it instead). */
export async function disableProjectRunner(ctx: ServiceContext, project: Project, runnerId: number): Promise<void> {
  const assigned = Number.isSafeInteger(runnerId) && runnerId > 0 && runnerId < 2 ** 31 ? await ctx.store.runners.projectIds(runnerId) : [];
  if (!assigned.includes(project.id)) throw notFound('Runner');
  if (assigned.length === 1) throw forbidden('Only one project associated with the runner. Please remove the runner instead');
  await ctx.store.runners.unassignProject(runnerId, project.id);
  runnerChanged(ctx, runnerId);
}
