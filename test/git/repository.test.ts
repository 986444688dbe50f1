import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { GitInputError } from '../../src/git/errors.js';
import { NULL_SHA } from '../../src/git/refs.js';
import { repositoryPath } from '../../src/git/paths.js';
import { GitRepository } from '../../src/git/repository.js';
import { gitOk, tempDir, WorkTree } from '../helpers/git.js';

const dated = (date: string) => ({ GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date });

describe('GitRepository', () => {
  const dataDir = tempDir('conveyor-repo-');
  const repo = new GitRepository(repositoryPath(dataDir, 7));
  let work: WorkTree;
  let first: string;
  let second: string;
  let third: string;

  before(async () => {
    await repo.init();
    work = await WorkTree.create();
    first = await work.commit('README.md', '# hello\n', 'Initial commit\n\nWith a body.', dated('2015-12-24T16:51:14+0100'));
    second = await work.commit('dir/nested/config.yml', 'a: 1\n', 'Add config', dated('2016-01-02T03:04:05-0530'));
    third = await work.commit('README.md', '# changed\n', 'Change readme', dated('2016-01-03T00:00:00+0000'));
    await gitOk(['tag', 'v-light', first], { cwd: work.dir });
    await gitOk(['tag', '-a', 'v-annotated', '-m', 'annotated', second], { cwd: work.dir });
    await gitOk(['branch', 'feature/x', second], { cwd: work.dir });
    await gitOk(['push', '--quiet', repo.path, 'main', 'feature/x', '--tags'], { cwd: work.dir });
  });
  after(() => {
    work.remove();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('lives at <dataDir>/repositories/<id>.git, named by id only', () => {
    assert.equal(repo.path, path.join(dataDir, 'repositories', '7.git'));
    assert.throws(() => repositoryPath(dataDir, 0), RangeError);
    assert.throws(() => repositoryPath(dataDir, 1.5), RangeError);
  });

  it('initialises a bare repository with push options advertised, main as HEAD and the hooks', async () => {
    const fresh = new GitRepository(path.join(dataDir, 'repositories', '99.git'));
    assert.equal(await fresh.exists(), false);
    await fresh.init();
    assert.equal(await fresh.exists(), true);
    assert.equal(fs.readFileSync(path.join(fresh.path, 'HEAD'), 'utf8').trim(), 'ref: refs/heads/main');
    assert.equal((await gitOk([`--git-dir=${fresh.path}`, 'config', 'receive.advertisePushOptions'])).trim(), 'true');
    assert.equal((await gitOk([`--git-dir=${fresh.path}`, 'rev-parse', '--is-bare-repository'])).trim(), 'true');
    for (const hook of ['pre-receive', 'post-receive']) {
      assert.ok(fs.statSync(path.join(fresh.path, 'hooks', hook)).mode & 0o100, `${hook} is executable`);
    }
    await fresh.setHead('develop');
    await fresh.init();
    assert.equal(fs.readFileSync(path.join(fresh.path, 'HEAD'), 'utf8').trim(), 'ref: refs/heads/develop', 'init again keeps HEAD');
    assert.deepEqual(await fresh.branches(), []);
    assert.equal(await fresh.resolveRef('main'), null);
  });

  it('resolves branches, tags, full refs and shas; refuses malformed names without asking git', async () => {
    assert.equal(await repo.resolveRef('main'), third);
    assert.equal(await repo.resolveRef('feature/x'), second);
    assert.equal(await repo.resolveRef('refs/heads/feature/x'), second);
    assert.equal(await repo.resolveRef('v-light'), first);
    assert.equal(await repo.resolveRef('v-annotated'), second, 'an annotated tag resolves to its commit');
    assert.equal(await repo.resolveRef(first), first);
    assert.equal(await repo.resolveRef('HEAD'), third);
    for (const bad of ['nope', '--output=/tmp/x', '-h', 'a..b', 'main^', 'main~1', 'main:README.md', 'refs/heads/../x', 'f'.repeat(40), '', 'main\n']) {
      assert.equal(await repo.resolveRef(bad), null, JSON.stringify(bad));
    }
  });

  it('reads files at a commit, null when missing, and refuses unclean paths', async () => {
    assert.equal((await repo.readFile(first, 'README.md'))?.toString(), '# hello\n');
    assert.equal((await repo.readFile(third, 'README.md'))?.toString(), '# changed\n');
    assert.equal((await repo.readFile(second, 'dir/nested/config.yml'))?.toString(), 'a: 1\n');
    assert.equal(await repo.readFile(first, 'dir/nested/config.yml'), null);
    assert.equal(await repo.readFile(second, 'dir'), null, 'a folder is not a file');
    assert.equal(await repo.readFile('e'.repeat(40), 'README.md'), null);
    for (const bad of ['../README.md', 'dir/../README.md', '/README.md', 'README.md\0', '']) {
      await assert.rejects(repo.readFile(third, bad), GitInputError, JSON.stringify(bad));
    }
    await assert.rejects(repo.readFile('main', 'README.md'), GitInputError, 'only object ids');
  });

  it('lists files of a commit', async () => {
    assert.deepEqual((await repo.listFiles(second)).sort(), ['README.md', 'dir/nested/config.yml']);
    assert.deepEqual(await repo.listFiles(first), ['README.md']);
  });

  it('reads commits with GitLab\'s fields and the commit\'s own time offsets', async () => {
    const commit = await repo.commit(first);
    assert.deepEqual(commit, {
      id: first,
      short_id: first.slice(0, 8),
      parent_ids: [],
      title: 'Initial commit',
      message: 'Initial commit\n\nWith a body.\n',
      author_name: 'Conveyor Test',
      author_email: 'test@conveyor.test',
      authored_date: '2015-12-24T16:51:14.000+01:00',
      committer_name: 'Conveyor Test',
      committer_email: 'test@conveyor.test',
      committed_date: '2015-12-24T16:51:14.000+01:00',
    });
    const next = await repo.commit(second);
    assert.equal(next?.authored_date, '2016-01-02T03:04:05.000-05:30');
    assert.deepEqual(next?.parent_ids, [first]);
    assert.equal((await repo.commit(third))?.committed_date, '2016-01-03T00:00:00.000+00:00');
    assert.equal(await repo.commit('e'.repeat(40)), null);
    const tree = (await gitOk([`--git-dir=${repo.path}`, 'rev-parse', `${first}^{tree}`])).trim();
    assert.equal(await repo.commit(tree), null, 'a tree is not a commit');
  });

  it('pages through history newest first', async () => {
    assert.deepEqual((await repo.commits('main', { page: 1, perPage: 2 })).map((c) => c.id), [third, second]);
    assert.deepEqual((await repo.commits('main', { page: 2, perPage: 2 })).map((c) => c.id), [first]);
    assert.deepEqual(await repo.commits('main', { page: 3, perPage: 2 }), []);
    assert.deepEqual((await repo.commits('feature/x', { page: 1, perPage: 20 })).map((c) => c.title), ['Add config', 'Initial commit']);
    assert.deepEqual(await repo.commits('nope', { page: 1, perPage: 20 }), []);
    await assert.rejects(repo.commits('main', { page: 0, perPage: 20 }), GitInputError);
  });

  it('lists branches and tags with the commits they point to', async () => {
    assert.deepEqual(await repo.branches(), [{ name: 'feature/x', sha: second }, { name: 'main', sha: third }]);
    assert.deepEqual(await repo.tags(), [{ name: 'v-annotated', sha: second }, { name: 'v-light', sha: first }]);
  });

  it('tells which paths changed, and null for a new branch', async () => {
    assert.deepEqual(await repo.changedPaths(first, third), ['README.md', 'dir/nested/config.yml']);
    assert.deepEqual(await repo.changedPaths(second, third), ['README.md']);
    assert.deepEqual((await repo.changedPaths(first, second)), ['dir/nested/config.yml']);
    assert.equal(await repo.changedPaths(NULL_SHA, third), null);
    assert.equal(await repo.changedPaths('e'.repeat(40), third), null, 'a before that is not here compares with nothing');
    await assert.rejects(repo.changedPaths('main', third), GitInputError);
  });

  it('moves HEAD to a valid branch only', async () => {
    await repo.setHead('feature/x');
    assert.equal(await repo.resolveRef('HEAD'), second);
    await repo.setHead('main');
    for (const bad of ['-x', 'a..b', 'HEAD', 'has space']) await assert.rejects(repo.setHead(bad), GitInputError, bad);
  });
});
