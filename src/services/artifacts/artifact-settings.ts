import type { ServiceContext } from '../context.js';
import { DEFAULT_EXPIRE_IN } from './artifact-expiry.js';

/** GitLab's `max_artifacts_size` (MB) and `default_artifacts_expire_in`, instance settings with GitLab's defaults. */
export interface ArtifactSettings {
  /** `max_artifacts_size` as set (MB, GitLab's unit). */
  maxSizeMb: number;
  maxBytes: number;
  defaultExpireIn: string;
  /** "Keep artifacts from most recent successful jobs" (on by default). */
  keepLatest: boolean;
}

export const DEFAULT_MAX_ARTIFACTS_SIZE_MB = 100;

export async function artifactSettings(ctx: ServiceContext): Promise<ArtifactSettings> {
  const [size, expireIn, keepLatest] = await Promise.all([
    ctx.store.applicationSettings.get('max_artifacts_size'),
    ctx.store.applicationSettings.get('default_artifacts_expire_in'),
    ctx.store.applicationSettings.get('keep_latest_artifact'),
  ]);
  const megabytes = size !== undefined && Number.isFinite(Number(size)) && Number(size) > 0 ? Number(size) : DEFAULT_MAX_ARTIFACTS_SIZE_MB;
  return { maxSizeMb: megabytes, maxBytes: Math.floor(megabytes * 1024 * 1024), defaultExpireIn: expireIn || DEFAULT_EXPIRE_IN, keepLatest: keepLatest !== 'false' };
}
