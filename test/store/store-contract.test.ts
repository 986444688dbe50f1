import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openPostgres, openSqlite, type DatabaseHandle } from '../../src/store/db.js';
import { migrateToLatest } from '../../src/store/migrate.js';
import { Store } from '../../src/store/store.js';
import { compiledLookup } from '../../src/store/compiled-lookup.js';
import { isUniqueViolation } from '../../src/store/db.js';
import { createPostgresDatabase, DIALECTS } from '../helpers/databases.js';

const NOW = '2026-01-01T00:00:00.000Z';

/** One contract, both dialects: every repository behaves the same on SQLite and PostgreSQL. */
for (const dialect of DIALECTS) {
  describe(`store contract (${dialect})`, () => {
    let handle: DatabaseHandle;
    let store: Store;
    let cleanup: () => Promise<void>;

    before(async () => {
      if (dialect === 'sqlite') {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'conveyor-store-'));
        handle = openSqlite(path.join(dir, 'test.sqlite3'));
        cleanup = async () => fs.rmSync(dir, { recursive: true, force: true });
      } else {
        const db = await createPostgresDatabase();
        handle = openPostgres(db.url, 4);
        cleanup = db.drop;
      }
      await migrateToLatest(handle);
      store = Store.over(handle);
    });
    after(async () => {
      await handle.close();
      await cleanup();
    });

    const newUser = (username: string) => ({ username, name: username, email: `${username}@x.test`, passwordDigest: null, isAdmin: false, createdAt: NOW });

    it('runs migrations idempotently', async () => {
      assert.deepEqual(await migrateToLatest(handle), []);
    });

    it('inserts and finds users, case-insensitively by username and email, with numeric ids', async () => {
      const user = await store.users.insert(newUser('Contract'));
      assert.equal(typeof user.id, 'number');
      assert.equal((await store.users.findByUsername('contract'))?.id, user.id);
      assert.equal((await store.users.findByEmail('CONTRACT@x.test'))?.id, user.id);
      assert.equal(user.isAdmin, false);
      await assert.rejects(store.users.insert(newUser('contract')), 'usernames are unique regardless of case');
      const byIds = await store.users.findByIds([user.id, user.id, 987654]);
      assert.deepEqual([...byIds.keys()], [user.id]);
    });

    it('compiled lookups bind each call\'s values where the arguments stood, keep constants, and run on the executor of the moment', async () => {
      const a = await store.users.insert(newUser('lookup-a'));
      const b = await store.users.insert({ ...newUser('lookup-b'), isAdmin: true });
      let executor = store.db;
      const lookup = compiledLookup(() => executor, (db, id: number, name: string) =>
        db.selectFrom('users').select(['id', 'username']).where('id', '=', id).where('username', '=', name).where('state', '=', 'active'));
      assert.deepEqual(await lookup(a.id, 'lookup-a'), { id: a.id, username: 'lookup-a' });
      assert.deepEqual(await lookup(b.id, 'lookup-b'), { id: b.id, username: 'lookup-b' });
      assert.equal(await lookup(a.id, 'lookup-b'), undefined);
      await store.transaction(async (trx) => {
        const c = await trx.users.insert(newUser('lookup-c'));
        executor = trx.db;
        assert.equal((await lookup(c.id, 'lookup-c'))?.id, c.id, 'sees the transaction\'s own row');
        assert.equal((await trx.users.findById(c.id))?.id, c.id);
      });
    });

    it('reports a unique constraint refusing a write the same way on both databases', async () => {
      await store.users.insert(newUser('unique-once'));
      const error = await store.users.insert(newUser('unique-once')).then(() => null, (e: unknown) => e);
      assert.ok(error, 'the second insert is refused');
      assert.equal(isUniqueViolation(error), true, String(error));
      assert.equal(isUniqueViolation(new Error('connection lost')), false);
    });

    it('rolls back every write of a failed transaction', async () => {
      const before = await store.users.count();
      await assert.rejects(
        store.transaction(async (trx) => {
          await trx.users.insert(newUser('rolled-back'));
          throw new Error('boom');
        }),
      );
      assert.equal(await store.users.count(), before);
      assert.equal(await store.users.findByUsername('rolled-back'), undefined);
    });

    it('pages by offset with a capped count and by keyset in both directions', async () => {
      const owner = await store.users.insert(newUser('pager'));
      const ns = await store.namespaces.insert({
        name: 'pager', path: 'pager', fullPath: 'pager', kind: 'user', parentId: null, ownerId: owner.id, visibility: 'public', description: '', createdAt: NOW,
      });
      const ids: number[] = [];
      for (let i = 0; i < 5; i++) {
        const p = await store.projects.insert({
          namespaceId: ns.id, name: `p${i}`, path: `p${i}`, fullPath: `pager/p${i}`, description: '', visibility: 'private', defaultBranch: null,
          publicJobs: true, ciConfigPath: null, creatorId: owner.id, createdAt: NOW, updatedAt: NOW, lastActivityAt: NOW,
        });
        ids.push(p.id);
      }
      const filter = { namespaceIds: [ns.id] };
      const page1 = await store.projects.list(filter, { kind: 'offset', offset: 0, limit: 2, countUpTo: 10 });
      assert.deepEqual(page1.rows.map((p) => p.id), [ids[4], ids[3]]);
      assert.equal(page1.hasMore, true);
      assert.equal(page1.total, 5);
      const capped = await store.projects.list(filter, { kind: 'offset', offset: 0, limit: 2, countUpTo: 3 });
      assert.equal(capped.total, undefined, 'over the cap the total is unknown');
      const last = await store.projects.list(filter, { kind: 'offset', offset: 4, limit: 2, countUpTo: null });
      assert.deepEqual([last.rows.length, last.hasMore, last.total], [1, false, undefined]);
      const ascending = await store.projects.list(filter, { kind: 'keyset', afterId: ids[1], order: 'asc', limit: 2 });
      assert.deepEqual(ascending.rows.map((p) => p.id), [ids[2], ids[3]]);
      assert.equal(ascending.hasMore, true);
      const descending = await store.projects.list(filter, { kind: 'keyset', afterId: ids[1], order: 'desc', limit: 2 });
      assert.deepEqual([descending.rows.map((p) => p.id), descending.hasMore], [[ids[0]], false]);
      const byName = await store.projects.list(filter, { kind: 'offset', offset: 0, limit: 10, countUpTo: null, orderBy: 'name', sort: 'asc' });
      assert.deepEqual(byName.rows.map((p) => p.name), ['p0', 'p1', 'p2', 'p3', 'p4']);
    });

    it('treats LIKE wildcards in searches literally', async () => {
      await store.users.insert(newUser('under_score'));
      await store.users.insert(newUser('underXscore'));
      const page = await store.users.list({ search: 'under_' }, { kind: 'offset', offset: 0, limit: 10, countUpTo: null });
      assert.deepEqual(page.rows.map((u) => u.username), ['under_score']);
      const percent = await store.users.list({ search: '%' }, { kind: 'offset', offset: 0, limit: 10, countUpTo: null });
      assert.equal(percent.rows.length, 0);
    });

    it('walks namespace ancestry and descendants', async () => {
      const top = await store.namespaces.insert({ name: 't', path: 'anc-t', fullPath: 'anc-t', kind: 'group', parentId: null, ownerId: null, visibility: 'private', description: '', createdAt: NOW });
      const mid = await store.namespaces.insert({ name: 'm', path: 'm', fullPath: 'anc-t/m', kind: 'group', parentId: top.id, ownerId: null, visibility: 'private', description: '', createdAt: NOW });
      const leaf = await store.namespaces.insert({ name: 'l', path: 'l', fullPath: 'anc-t/m/l', kind: 'group', parentId: mid.id, ownerId: null, visibility: 'private', description: '', createdAt: NOW });
      assert.deepEqual((await store.namespaces.ancestry(leaf.id)).map((n) => n.id), [leaf.id, mid.id, top.id]);
      assert.deepEqual((await store.namespaces.descendantIds([top.id])).sort(), [mid.id, leaf.id].sort());
      assert.equal((await store.namespaces.findByFullPath('ANC-T/M'))?.id, mid.id);
    });

    it('keeps one membership per user and source', async () => {
      const user = await store.users.insert(newUser('member-contract'));
      const source = { type: 'project' as const, id: 4242 };
      await store.members.insert({ source, userId: user.id, accessLevel: 30, expiresAt: null, createdById: null, createdAt: NOW });
      await assert.rejects(store.members.insert({ source, userId: user.id, accessLevel: 40, expiresAt: null, createdById: null, createdAt: NOW }));
      const found = await store.members.find(source, user.id);
      assert.equal(found?.accessLevel, 30);
      await store.members.update(found!.id, { accessLevel: 40 });
      assert.equal((await store.members.listBySources([source]))[0].accessLevel, 40);
    });

    it('keeps protected branch rules per project, names exact and unique, gone with their project', async () => {
      const owner = await store.users.insert(newUser('protector'));
      const ns = await store.namespaces.insert({
        name: 'protector', path: 'protector', fullPath: 'protector', kind: 'user', parentId: null, ownerId: owner.id, visibility: 'private', description: '', createdAt: NOW,
      });
      const project = await store.projects.insert({
        namespaceId: ns.id, name: 'pb', path: 'pb', fullPath: 'protector/pb', description: '', visibility: 'private', defaultBranch: null,
        publicJobs: true, ciConfigPath: null, creatorId: owner.id, createdAt: NOW, updatedAt: NOW, lastActivityAt: NOW,
      });
      const rule = (name: string) => ({ projectId: project.id, name, pushAccessLevel: 30, mergeAccessLevel: 40, allowForcePush: true, createdAt: NOW });
      const main = await store.protectedBranches.insert(rule('main'));
      await store.protectedBranches.insert(rule('release/*'));
      assert.deepEqual(main, { id: main.id, ...rule('main') });
      await assert.rejects(store.protectedBranches.insert(rule('main')), 'one rule per name');
      assert.equal((await store.protectedBranches.find(project.id, 'main'))?.id, main.id);
      assert.equal(await store.protectedBranches.find(project.id, 'MAIN'), undefined, 'branch names are case-sensitive');
      assert.deepEqual((await store.protectedBranches.listByProject(project.id)).map((b) => b.name), ['main', 'release/*']);
      await store.protectedBranches.delete(main.id);
      assert.deepEqual((await store.protectedBranches.listByProject(project.id)).map((b) => b.name), ['release/*']);
      await store.projects.delete(project.id);
      assert.deepEqual(await store.protectedBranches.listByProject(project.id), []);
    });
  });
}
