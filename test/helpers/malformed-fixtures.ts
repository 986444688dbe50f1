/**
 * What the malformed-request test creates before its first request: users and tokens, groups and
 * projects, and one private project with pushed commits (two branches, a tag, nested files and a CI
 * config), pipelines, CI/CD variables and protected branches, so the new routes have real ids to hit.
 */
import assert from 'node:assert/strict';
import { addMember, createGroup, createProject, createUser } from './fixtures.js';
import { gitOk, gitUrl, WorkTree } from './git.js';
import type { Fixtures } from './malformed-routes.js';
import { ROOT_TOKEN, type TestServer } from './server.js';

const CI_CONFIG = `
stages: [build, test]
variables:
  GREETING: hello
build:
  stage: build
  script: echo build
test:
  stage: test
  script: echo "$GREETING"
  rules:
    - if: $FUZZ == "1"
    - when: manual
      allow_failure: true
`;

async function ok(t: TestServer, method: string, path: string, body?: unknown): Promise<any> {
  const res = await t.api(method, path, body === undefined ? {} : { body });
  assert.ok(res.status >= 200 && res.status < 300, `${method} ${path}: ${res.status} ${res.text}`);
  return res.body;
}

/** Pushes commits, a branch and a tag into a new private project as root; the work tree is removed afterwards. */
async function repositoryProject(t: TestServer, namespaceId: number): Promise<Fixtures['repo']> {
  const project = await createProject(t, { namespace_id: namespaceId, visibility: 'private' });
  const tree = await WorkTree.create();
  try {
    const first = await tree.commit('README.md', '# fuzz\n', 'Initial commit');
    await tree.commit('docs/guide.md', 'guide\n', 'Docs');
    await tree.commit('docs/a b.txt', 'spaces\n', 'Spaces');
    const head = await tree.commit('.gitlab-ci.yml', CI_CONFIG, 'Add CI');
    const url = gitUrl(t.url, project.path_with_namespace, { username: 'root', token: ROOT_TOKEN });
    await gitOk(['tag', 'v1.0', first], { cwd: tree.dir });
    await gitOk(['push', '--quiet', url, 'HEAD:main', 'HEAD:feature/x', 'v1.0'], { cwd: tree.dir });
    return {
      id: project.id,
      path_with_namespace: project.path_with_namespace,
      shas: [head, first],
      branches: ['main', 'feature/x'],
      tags: ['v1.0'],
      files: ['README.md', 'docs/guide.md', 'docs/a b.txt', '.gitlab-ci.yml'],
    };
  } finally {
    tree.remove();
  }
}

/** Waits until the pushes' pipelines exist, so no creation races the malformed requests that follow. */
async function pushPipelines(t: TestServer, projectId: number, count: number): Promise<number[]> {
  for (let i = 0; i < 400; i++) {
    const res = await t.api('GET', `/projects/${projectId}/pipelines`);
    if (res.status === 200 && res.body.length >= count) return res.body.map((p: { id: number }) => p.id);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error('the push pipelines never appeared');
}

export async function createFixtures(t: TestServer): Promise<Fixtures> {
  const user = await createUser(t);
  const readOnly = await createUser(t, { scopes: ['read_api'] });
  const doomed = await createUser(t);
  const revoke = await t.api('DELETE', '/personal_access_tokens/self', { token: doomed.token });
  assert.equal(revoke.status, 204, revoke.text);
  const self = await t.api('GET', '/personal_access_tokens/self', { token: user.token });
  assert.equal(self.status, 200, self.text);
  const groups = [];
  const projects = [];
  for (let i = 0; i < 3; i++) {
    const g = await createGroup(t, { visibility: i === 0 ? 'public' : 'private' });
    const sub = await createGroup(t, { parent_id: g.id, visibility: i === 0 ? 'public' : 'private' });
    groups.push(g, sub);
    projects.push(await createProject(t, { namespace_id: sub.id, visibility: i === 0 ? 'public' : 'private' }));
    projects.push(await createProject(t, {}));
  }
  await addMember(t, projects[0].id, user.id, 30);

  const repo = await repositoryProject(t, groups[1].id);
  await addMember(t, repo.id, user.id, 30);
  const pushed = await pushPipelines(t, repo.id, 2);
  const api = [];
  for (const variables of [[{ key: 'FUZZ', value: '1' }], [{ key: 'FUZZ', value: '0', variable_type: 'file' }], []]) {
    api.push((await ok(t, 'POST', `/projects/${repo.id}/pipeline`, { ref: 'main', variables })).id);
  }
  await ok(t, 'POST', `/projects/${repo.id}/pipelines/${api[1]}/cancel`);

  const base = `/projects/${repo.id}/variables`;
  await ok(t, 'POST', base, { key: 'FIXTURE_VAR', value: 'plain value' });
  await ok(t, 'POST', base, { key: 'MASKED_VAR', value: 'maskable-value-123', masked: true, protected: true });
  await ok(t, 'POST', base, { key: 'SCOPED_VAR', value: 'prod', environment_scope: 'production' });
  await ok(t, 'POST', base, { key: 'SCOPED_VAR', value: 'review', environment_scope: 'review/*' });
  await ok(t, 'POST', `/groups/${groups[0].id}/variables`, { key: 'GROUP_VAR', value: 'group value' });
  await ok(t, 'POST', `/groups/${groups[0].id}/variables`, { key: 'GROUP_FILE', value: 'file', variable_type: 'file' });
  for (const name of ['main', 'release/*', 'v*']) await ok(t, 'POST', `/projects/${repo.id}/protected_branches`, { name });

  const root = await t.api('GET', '/user');
  return {
    root: { id: root.body.id, username: root.body.username },
    user: { id: user.id, username: user.username, token: user.token },
    readOnly: { id: readOnly.id, username: readOnly.username, token: readOnly.token },
    revokedToken: doomed.token,
    userTokenId: self.body.id,
    groups: groups.map((g) => ({ id: g.id, full_path: g.full_path })),
    projects: projects.map((p) => ({ id: p.id, path_with_namespace: p.path_with_namespace })),
    repo,
    pipelines: [...new Set([...pushed, ...api])].sort((a, b) => a - b),
    variables: { project: ['FIXTURE_VAR', 'MASKED_VAR', 'SCOPED_VAR'], group: ['GROUP_VAR', 'GROUP_FILE'] },
    protectedBranches: ['main', 'release/*', 'v*'],
  };
}
