import assert from 'node:assert/strict';
import type { TestServer } from './server.js';

let counter = 0;
export const unique = (prefix: string) => `${prefix}${Date.now().toString(36)}${(counter++).toString(36)}`;

/** A user with a personal access token, made through the API the way an admin would. */
export async function createUser(
  t: TestServer,
  options: { username?: string; scopes?: string[]; admin?: boolean; expiresAt?: string } = {},
): Promise<{ id: number; username: string; token: string }> {
  const username = options.username ?? unique('user');
  const created = await t.api('POST', '/users', {
    body: { username, name: `User ${username}`, email: `${username}@example.com`, password: 'password-1234', admin: options.admin ?? false },
  });
  assert.equal(created.status, 201, created.text);
  const token = await t.api('POST', `/users/${created.body.id}/personal_access_tokens`, {
    body: { name: 'test', scopes: options.scopes ?? ['api'], ...(options.expiresAt ? { expires_at: options.expiresAt } : {}) },
  });
  assert.equal(token.status, 201, token.text);
  return { id: created.body.id, username, token: token.body.token };
}

export async function createGroup(t: TestServer, body: Record<string, unknown> = {}, token?: string): Promise<any> {
  const path = unique('group');
  const res = await t.api('POST', '/groups', { body: { name: path, path, ...body }, token });
  assert.equal(res.status, 201, res.text);
  return res.body;
}

export async function createProject(t: TestServer, body: Record<string, unknown> = {}, token?: string): Promise<any> {
  const res = await t.api('POST', '/projects', { body: { name: unique('project'), ...body }, token });
  assert.equal(res.status, 201, res.text);
  return res.body;
}

export async function addMember(t: TestServer, projectId: number | string, userId: number, accessLevel: number): Promise<void> {
  const res = await t.api('POST', `/projects/${encodeURIComponent(String(projectId))}/members`, { body: { user_id: userId, access_level: accessLevel } });
  assert.equal(res.status, 201, res.text);
}
