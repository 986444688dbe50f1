/**
 * Reads of one event-loop turn share a read transaction (sqlite-group-commit.ts). What must hold: another
 * connection's commit is seen from the next turn on, and a write after reads in the same turn starts from
 * the newest snapshot (upgrading the old one would fail with SQLITE_BUSY_SNAPSHOT).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import SqliteDatabase from 'better-sqlite3';
import { sql } from 'kysely';
import { openSqlite } from '../../src/store/db.js';

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

describe('SQLite read snapshots', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'conveyor-snapshot-'));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("sees another connection's commits from the next turn, and writes after reads of the same turn", async () => {
    const file = path.join(dir, 'db.sqlite3');
    const handle = openSqlite(file);
    const other = new SqliteDatabase(file);
    other.pragma('busy_timeout = 5000');
    const count = async () => Number((await sql<{ n: number }>`select count(*) as n from items`.execute(handle.db)).rows[0].n);
    try {
      await sql`create table items (id integer primary key, source text not null)`.execute(handle.db);
      await nextTurn();
      assert.equal(await count(), 0);
      other.prepare("insert into items (source) values ('other')").run();
      // The same turn: our write starts from the newest snapshot, and the reads after it see both rows.
      await sql`insert into items (source) values ('ours')`.execute(handle.db);
      assert.equal(await count(), 2);
      await nextTurn();

      assert.equal(await count(), 2);
      other.prepare("insert into items (source) values ('other')").run();
      await nextTurn();
      assert.equal(await count(), 3, 'a commit of another connection is seen from the next turn');

      // A snapshot held by a read does not keep the other connection from writing, nor from checkpointing.
      assert.equal(await count(), 3);
      other.prepare("insert into items (source) values ('other')").run();
      const [checkpoint] = other.pragma('wal_checkpoint(PASSIVE)') as Array<{ busy: number }>;
      assert.equal(checkpoint.busy, 0);
      await nextTurn();
      assert.equal(await count(), 4);
    } finally {
      other.close();
      await handle.close();
    }
  });
});
