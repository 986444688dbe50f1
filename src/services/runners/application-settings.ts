import { forbidden } from '../../errors/api-error.js';
import { isAdmin, type Actor } from '../access/actor.js';
import { artifactSettings } from '../artifacts/artifact-settings.js';
import type { ServiceContext } from '../context.js';
import { registrationToken } from './runner-tokens.js';

/** The part of GitLab's ApplicationSetting entity Conveyor has: what runners and artifacts need. Admins only. */
export async function applicationSettings(ctx: ServiceContext, actor: Actor): Promise<Record<string, unknown>> {
  if (!isAdmin(actor)) throw forbidden();
  const artifacts = await artifactSettings(ctx);
  return {
    id: 1,
    default_artifacts_expire_in: artifacts.defaultExpireIn,
    max_artifacts_size: artifacts.maxSizeMb,
    runners_registration_token: await registrationToken(ctx),
    allow_runner_registration_token: true,
    shared_runners_enabled: true,
    keep_latest_artifact: artifacts.keepLatest,
    ci_max_includes: 150,
    ci_jobs_trace_size_limit: 100,
  };
}
