import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { after, describe, it } from 'node:test';
import { runHttpBackend } from '../../src/git/http-backend.js';
import { GitRepository } from '../../src/git/repository.js';
import { tempDir } from '../helpers/git.js';

describe('git http-backend', () => {
  const dir = tempDir('conveyor-http-backend-');
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  // A push waits for the repository's lock before git starts; a client gone by then must not leave git
  // waiting for the rest of its body (holding the lock for good).
  it('ends a push whose client went away before git started', async () => {
    const repo = new GitRepository(path.join(dir, '1.git'));
    await repo.init();
    const body = Readable.from([Buffer.from('0098')]);
    body.destroy();
    await new Promise((resolve) => body.once('close', resolve));
    const response = await runHttpBackend({
      projectRoot: dir,
      pathInfo: '/1.git/git-receive-pack',
      method: 'POST',
      queryString: '',
      contentType: 'application/x-git-receive-pack-request',
      remoteUser: 'root',
      body,
    });
    response.body.resume();
    const exited = await response.exited;
    assert.notEqual(exited.code, 0, 'git gave up on the truncated request');
  });
});
