import { ApiError, badRequest, forbidden, modelInvalid, notFound } from '../../errors/api-error.js';
import type { Runner, RunnerType } from '../../store/runners-repository.js';
import { isAdmin, type Actor } from '../access/actor.js';
import { isoNow, type ServiceContext } from '../context.js';
import { authorizeGroup } from '../groups/groups.js';
import { authorizeProject } from '../projects/projects.js';
import { heartbeat, runnerChanged, type RunnerInfo } from './runner-authentication.js';
import { isRegistrationToken, issueRunnerToken } from './runner-tokens.js';

/** The runner's settings a creator chooses (registration body or `POST /user/runners`). */
export interface RunnerSettingsInput {
  description?: string;
  maintenance_note?: string;
  maintainer_note?: string;
  paused?: boolean;
  active?: boolean;
  locked?: boolean;
  run_untagged?: boolean;
  tag_list?: string | string[];
  access_level?: string;
  maximum_timeout?: number;
}

/** What registration answers (GitLab's RunnerRegistrationDetails entity). */
export interface RunnerCredentials {
  id: number;
  token: string;
  token_expires_at: string | null;
}

/**
 * `tag_list` as the runner sends it (a comma-separated string) or as the API takes it (an array, whose items
 * are split at commas too, like Grape's CommaSeparatedToArray): trimmed, unique, sorted.
 */
export function parseTagList(raw: string | string[] | undefined): string[] | undefined {
  if (raw === undefined) return undefined;
  const parts = (Array.isArray(raw) ? raw : [raw]).flatMap((t) => String(t).split(','));
  return [...new Set(parts.map((t) => String(t).trim()).filter(Boolean))].sort();
}

/** The settings after GitLab's model validations (400 `{"message": {...}}` on a bad value). */
export function runnerSettings(input: RunnerSettingsInput): Partial<Pick<Runner, 'description' | 'maintenanceNote' | 'paused' | 'locked' | 'runUntagged' | 'tagList' | 'accessLevel' | 'maximumTimeout'>> {
  if (input.paused !== undefined && input.active !== undefined) throw new ApiError(400, { error: 'paused, active are mutually exclusive' });
  const errors: Record<string, string[]> = {};
  if (input.access_level !== undefined && !['not_protected', 'ref_protected'].includes(input.access_level)) {
    throw new ApiError(400, { error: 'access_level does not have a valid value' });
  }
  if (input.maximum_timeout !== undefined && input.maximum_timeout !== null && input.maximum_timeout < 600) {
    errors.maximum_timeout = ['needs to be at least 10 minutes'];
  }
  const tagList = parseTagList(input.tag_list);
  if (tagList?.some((tag) => tag.length > 255)) errors.tags_list = ['tag is too long (maximum is 255 characters)'];
  if (tagList && tagList.length > 50) errors.tags_list = ['Too many tags specified. Please limit the number of tags to 50'];
  const settings: ReturnType<typeof runnerSettings> = {};
  if (input.run_untagged === false && tagList !== undefined && tagList.length === 0) {
    errors.tags_list = ['can not be empty when runner is not allowed to pick untagged jobs'];
  }
  if (Object.keys(errors).length > 0) throw modelInvalid(errors);
  if (input.description !== undefined) settings.description = input.description;
  const note = input.maintenance_note ?? input.maintainer_note;
  if (note !== undefined) settings.maintenanceNote = note;
  if (input.paused !== undefined) settings.paused = input.paused;
  if (input.active !== undefined) settings.paused = !input.active;
  if (input.locked !== undefined) settings.locked = input.locked;
  if (input.run_untagged !== undefined) settings.runUntagged = input.run_untagged;
  if (tagList !== undefined) settings.tagList = tagList;
  if (input.access_level !== undefined) settings.accessLevel = input.access_level as Runner['accessLevel'];
  if (input.maximum_timeout !== undefined) settings.maximumTimeout = input.maximum_timeout;
  return settings;
}

async function createRunner(
  ctx: ServiceContext,
  type: RunnerType,
  input: RunnerSettingsInput,
  owner: { groupId?: number; projectId?: number; creatorId: number | null; registrationType: Runner['registrationType'] },
): Promise<{ runner: Runner; token: string }> {
  const settings = runnerSettings(input);
  const issued = issueRunnerToken(ctx);
  const now = isoNow(ctx);
  const runner = await ctx.store.transaction(async (store) => {
    const created = await store.runners.insert({
      runnerType: type,
      tokenDigest: issued.tokenDigest,
      shortSha: issued.shortSha,
      tokenExpiresAt: null,
      description: settings.description ?? '',
      maintenanceNote: settings.maintenanceNote ?? null,
      paused: settings.paused ?? false,
      locked: settings.locked ?? false,
      runUntagged: settings.runUntagged ?? true,
      tagList: settings.tagList ?? [],
      accessLevel: settings.accessLevel ?? 'not_protected',
      maximumTimeout: settings.maximumTimeout ?? null,
      groupId: owner.groupId ?? null,
      registrationType: owner.registrationType,
      creatorId: owner.creatorId,
      createdAt: now,
    });
    if (owner.projectId !== undefined) await store.runners.assignProject(created.id, owner.projectId, now);
    return created;
  });
  runnerChanged(ctx, runner.id);
  return { runner, token: issued.token };
}

/**
 * Legacy `POST /runners`: the instance registration token makes an instance runner. A runner registered
 * without tags runs untagged jobs (gitlab-runner sends `run_untagged` itself).
 */
export async function registerRunner(ctx: ServiceContext, registration: string, input: RunnerSettingsInput, info: RunnerInfo | undefined, ip: string | null): Promise<RunnerCredentials> {
  if (!(await isRegistrationToken(ctx, registration))) throw forbidden();
  const { runner, token } = await createRunner(ctx, 'instance_type', input, { creatorId: null, registrationType: 'registration_token' });
  if (info) await heartbeat(ctx, runner, undefined, info, ip);
  return { id: runner.id, token, token_expires_at: null };
}

/** An instance runner made by the server itself (the built-in runner of `conveyor up`). */
export async function createInstanceRunner(ctx: ServiceContext, input: RunnerSettingsInput): Promise<RunnerCredentials> {
  const { runner, token } = await createRunner(ctx, 'instance_type', input, { creatorId: null, registrationType: 'authenticated_user' });
  return { id: runner.id, token, token_expires_at: null };
}

export interface UserRunnerInput extends RunnerSettingsInput {
  runner_type: string;
  group_id?: number;
  project_id?: number;
}

/**
 * `POST /user/runners` (the creation flow that replaced registration tokens): admins create instance
 * runners, group Owners group runners, project Maintainers project runners. Answers the `glrt-` token once.
 */
export async function createUserRunner(ctx: ServiceContext, actor: Actor, input: UserRunnerInput): Promise<RunnerCredentials> {
  if (!actor.user) throw forbidden();
  const owner = { creatorId: actor.user.id, registrationType: 'authenticated_user' as const };
  let created: { runner: Runner; token: string };
  switch (input.runner_type) {
    case 'instance_type':
      if (!isAdmin(actor)) throw forbidden();
      created = await createRunner(ctx, 'instance_type', input, owner);
      break;
    case 'group_type': {
      if (input.group_id === undefined) throw badRequest('group_id is missing');
      const group = await authorizeGroup(ctx, actor, String(input.group_id), 'admin_group');
      created = await createRunner(ctx, 'group_type', input, Object.assign({ groupId: group.id }, owner));
      break;
    }
    case 'project_type': {
      if (input.project_id === undefined) throw badRequest('project_id is missing');
      const project = await authorizeProject(ctx, actor, String(input.project_id), 'admin_project');
      created = await createRunner(ctx, 'project_type', input, Object.assign({ projectId: project.id }, owner));
      break;
    }
    default:
      throw new ApiError(400, { error: 'runner_type does not have a valid value' });
  }
  return { id: created.runner.id, token: created.token, token_expires_at: null };
}

/** `POST /runners/reset_authentication_token` and the admin variant: a new token; the old one stops working at once. */
export async function resetRunnerToken(ctx: ServiceContext, runner: Runner): Promise<{ token: string; token_expires_at: string | null }> {
  const issued = issueRunnerToken(ctx);
  await ctx.store.runners.update(runner.id, { tokenDigest: issued.tokenDigest, shortSha: issued.shortSha, tokenExpiresAt: null });
  runnerChanged(ctx, runner.id);
  return { token: issued.token, token_expires_at: null };
}

export async function deleteRunner(ctx: ServiceContext, runner: Runner): Promise<void> {
  await ctx.store.runners.delete(runner.id);
  runnerChanged(ctx, runner.id);
}

/** `DELETE /runners/managers`: forgets one machine of a runner; 404 for a system id it never saw. */
export async function deleteRunnerManager(ctx: ServiceContext, runner: Runner, systemId: string): Promise<void> {
  if (!(await ctx.store.runnerManagers.delete(runner.id, systemId))) throw notFound();
  runnerChanged(ctx, runner.id);
}
