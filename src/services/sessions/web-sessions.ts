import crypto from 'node:crypto';
import type { User } from '../../store/users-repository.js';
import type { WebSession } from '../../store/web-sessions-repository.js';
import type { ServiceContext } from '../context.js';
import { hashPassword, verifyPassword } from '../security/password.js';
import { tokenDigest } from '../security/secrets.js';

/** Devise's lockable defaults in GitLab: 10 failed attempts lock the account for 10 minutes. */
export const MAX_FAILED_SIGN_INS = 10;
export const LOCK_DURATION_MS = 10 * 60_000;
/** GitLab's `session_expire_delay` default: a week, renewed while the session is used. */
export const SESSION_LIFETIME_MS = 7 * 24 * 60 * 60_000;
const RENEW_AFTER_MS = 60 * 60_000;

export interface ActiveSession {
  /** The secret the cookie carries (only its digest is stored). */
  secret: string;
  csrfToken: string;
  user: User;
}

export type SignInResult =
  | { ok: true; session: ActiveSession }
  | { ok: false; reason: 'invalid' | 'locked' | 'blocked' };

/** Verified against when the login is unknown, so a missing user takes as long as a wrong password. */
let decoyDigest: Promise<string> | undefined;

function lockedUntil(lockedAt: string | null): number {
  return lockedAt === null ? 0 : Date.parse(lockedAt) + LOCK_DURATION_MS;
}

/**
 * Username (or email) and password, as GitLab's sign-in form: wrong passwords are counted, and the tenth
 * in a row locks the account for ten minutes (a correct password does not help meanwhile). Every
 * successful sign-in starts a new session, so a session id planted before sign-in is worthless.
 */
export async function signIn(ctx: ServiceContext, login: string, password: string): Promise<SignInResult> {
  const user = login.includes('@') ? await ctx.store.users.findByEmail(login) : await ctx.store.users.findByUsername(login);
  if (!user || user.passwordDigest === null) {
    decoyDigest ??= hashPassword(crypto.randomBytes(16).toString('hex'));
    await verifyPassword(password, await decoyDigest);
    return { ok: false, reason: 'invalid' };
  }
  const now = ctx.clock.now().getTime();
  const state = await ctx.store.webSessions.signInState(user.id);
  if (lockedUntil(state.lockedAt) > now) return { ok: false, reason: 'locked' };
  if (!(await verifyPassword(password, user.passwordDigest))) {
    // An expired lock starts a fresh count.
    if (state.lockedAt !== null) await ctx.store.webSessions.resetSignInState(user.id);
    const failures = await ctx.store.webSessions.countFailedSignIn(user.id);
    if (failures >= MAX_FAILED_SIGN_INS) {
      await ctx.store.webSessions.lock(user.id, new Date(now).toISOString());
      return { ok: false, reason: 'locked' };
    }
    return { ok: false, reason: 'invalid' };
  }
  if (user.state === 'blocked') return { ok: false, reason: 'blocked' };
  if (state.failedSignIns > 0 || state.lockedAt !== null) await ctx.store.webSessions.resetSignInState(user.id);
  return { ok: true, session: await startSession(ctx, user) };
}

export async function startSession(ctx: ServiceContext, user: User): Promise<ActiveSession> {
  const secret = crypto.randomBytes(32).toString('base64url');
  const csrfToken = crypto.randomBytes(32).toString('base64url');
  const now = ctx.clock.now();
  await ctx.store.webSessions.deleteExpired(now.toISOString());
  await ctx.store.webSessions.insert({
    idDigest: tokenDigest(secret),
    userId: user.id,
    csrfToken,
    createdAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + SESSION_LIFETIME_MS).toISOString(),
  });
  return { secret, csrfToken, user };
}

/** The live session a cookie names, with its user; null when unknown, expired, or the user is blocked. */
export async function findSession(ctx: ServiceContext, secret: string): Promise<ActiveSession | null> {
  if (secret.length < 16 || secret.length > 128) return null;
  const stored: WebSession | undefined = await ctx.store.webSessions.find(tokenDigest(secret));
  if (!stored) return null;
  const now = ctx.clock.now().getTime();
  const expires = Date.parse(stored.expiresAt);
  if (expires <= now) return null;
  const user = await ctx.store.users.findById(stored.userId);
  if (!user || user.state === 'blocked') return null;
  if (expires - now < SESSION_LIFETIME_MS - RENEW_AFTER_MS) {
    await ctx.store.webSessions.extend(stored.idDigest, new Date(now + SESSION_LIFETIME_MS).toISOString());
  }
  return { secret, csrfToken: stored.csrfToken, user };
}

export async function signOut(ctx: ServiceContext, secret: string): Promise<void> {
  await ctx.store.webSessions.delete(tokenDigest(secret));
}

/** Constant-time comparison of a presented CSRF token with the session's. */
export function isValidCsrfToken(session: Pick<ActiveSession, 'csrfToken'>, presented: unknown): boolean {
  if (typeof presented !== 'string' || presented.length === 0) return false;
  const expected = Buffer.from(session.csrfToken);
  const given = Buffer.from(presented);
  return given.length === expected.length && crypto.timingSafeEqual(given, expected);
}
