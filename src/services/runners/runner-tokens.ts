import crypto from 'node:crypto';
import type { ServiceContext } from '../context.js';
import { tokenDigest } from '../security/secrets.js';

/** Runner authentication tokens (the new creation flow's and those registration hands out). */
export const RUNNER_TOKEN_PREFIX = 'glrt-';
/** GitLab's prefix for registration tokens; the runner masks it in logs. */
const REGISTRATION_TOKEN_PREFIX = 'GR1348941';
const REGISTRATION_TOKEN_SETTING = 'runners_registration_token';

export interface IssuedRunnerToken {
  token: string;
  tokenDigest: string;
  /** Safe to show: the first 8 characters after the prefix (GitLab's `short_sha`). */
  shortSha: string;
}

export function issueRunnerToken(ctx: ServiceContext): IssuedRunnerToken {
  const token = ctx.secrets.token(RUNNER_TOKEN_PREFIX);
  return { token, tokenDigest: tokenDigest(token), shortSha: token.slice(RUNNER_TOKEN_PREFIX.length, RUNNER_TOKEN_PREFIX.length + 8) };
}

/**
 * The instance registration token (legacy `POST /runners`). Admins read it back from the settings API,
 * so it is kept as is, like GitLab keeps it (encrypted there, readable to admins).
 */
export function registrationToken(ctx: ServiceContext): Promise<string> {
  return ctx.store.applicationSettings.getOrCreate(REGISTRATION_TOKEN_SETTING, ctx.secrets.token(REGISTRATION_TOKEN_PREFIX));
}

export async function resetRegistrationToken(ctx: ServiceContext): Promise<string> {
  const token = ctx.secrets.token(REGISTRATION_TOKEN_PREFIX);
  await ctx.store.applicationSettings.set(REGISTRATION_TOKEN_SETTING, token);
  return token;
}

/** Compares in constant time so the token cannot be guessed byte by byte. */
export async function isRegistrationToken(ctx: ServiceContext, candidate: string): Promise<boolean> {
  const expected = Buffer.from(await registrationToken(ctx));
  const given = Buffer.from(candidate);
  return given.length === expected.length && crypto.timingSafeEqual(given, expected);
}
