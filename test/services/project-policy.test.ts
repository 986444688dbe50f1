import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { projectAbilities, type ProjectAbility } from '../../src/services/access/project-policy.js';
import type { Project } from '../../src/store/projects-repository.js';

const project = (visibility: Project['visibility'], publicJobs: boolean): Project => ({
  id: 1, namespaceId: 1, name: 'p', path: 'p', fullPath: 'g/p', description: '', visibility, defaultBranch: null, publicJobs,
  ciConfigPath: null, creatorId: null, createdAt: '', updatedAt: '', lastActivityAt: '', buildTimeout: 3600, autoCancelPendingPipelines: true,
});

const has = (p: Project, level: number, signedIn: boolean, ability: ProjectAbility) => projectAbilities(p, level, signedIn).has(ability);

describe('project policy (GitLab role table, reference §6)', () => {
  const priv = project('private', false);

  it('gives nothing to anonymous callers and non-members of private projects', () => {
    assert.equal(projectAbilities(priv, 0, false).size, 0);
    assert.equal(projectAbilities(priv, 0, true).size, 0);
  });

  it('follows the private-project matrix per role', () => {
    const matrix: Array<[ProjectAbility, number]> = [
      ['read_project', 10], ['read_build', 20], ['read_pipeline', 20], ['download_code', 20],
      ['update_build', 30], ['cancel_build', 30], ['create_pipeline', 30], ['push_code', 30],
      ['admin_build', 40], ['destroy_artifacts', 40], ['admin_project', 40], ['admin_project_member', 40],
      ['remove_project', 50],
    ];
    for (const [ability, minimum] of matrix) {
      for (const level of [10, 20, 30, 40, 50]) {
        assert.equal(has(priv, level, true, ability), level >= minimum, `${ability} at ${level}`);
      }
    }
  });

  it('lets guests read builds of private projects only when public pipelines are on', () => {
    assert.equal(has(project('private', true), 10, true, 'read_build'), true);
    assert.equal(has(project('private', false), 10, true, 'read_build'), false);
  });

  it('opens public projects to anonymous readers, internal ones to signed-in users', () => {
    const pub = project('public', true);
    assert.equal(has(pub, 0, false, 'read_project'), true);
    assert.equal(has(pub, 0, false, 'read_build'), true);
    assert.equal(has(project('public', false), 0, false, 'read_build'), false);
    assert.equal(has(pub, 0, false, 'update_build'), false);
    const internal = project('internal', true);
    assert.equal(has(internal, 0, false, 'read_project'), false);
    assert.equal(has(internal, 0, true, 'read_project'), true);
    assert.equal(has(internal, 0, true, 'read_pipeline'), true);
  });
});
