/**
 * SQLite's WAL is copied into the database file by the checkpoint worker, not inside a commit on the
 * event loop: writes well below SQLite's own (64 MB) automatic checkpoint still reach the database file.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { sql } from 'kysely';
import { openSqlite } from '../../src/store/db.js';

describe('SQLite checkpoints', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'conveyor-checkpoint-'));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('copies committed writes into the database file on the worker, and the data stays readable', async () => {
    const file = path.join(dir, 'db.sqlite3');
    const handle = openSqlite(file);
    try {
      await sql`create table filler (id integer primary key, body blob)`.execute(handle.db);
      const before = fs.statSync(file).size;
      const body = Buffer.alloc(64 * 1024, 7);
      // 3 MB in 48 writes from concurrent callers (several group commits): under 1,000 pages, so no
      // automatic checkpoint of SQLite's (not even at its default) would copy them.
      await Promise.all(Array.from({ length: 48 }, (_, i) => sql`insert into filler (id, body) values (${i}, ${body})`.execute(handle.db)));
      let grown = 0;
      for (let attempt = 0; attempt < 100 && grown < 3 * 1024 * 1024; attempt++) {
        await new Promise((r) => setTimeout(r, 50));
        grown = fs.statSync(file).size - before;
      }
      assert.ok(grown >= 3 * 1024 * 1024, `the database file grew by ${grown} bytes`);
      const count = await sql<{ n: number }>`select count(*) as n, sum(length(body)) as bytes from filler`.execute(handle.db);
      assert.equal(Number(count.rows[0].n), 48);
    } finally {
      await handle.close();
    }
    // Closed cleanly: the worker's connection went too, so SQLite removed the WAL with the last connection.
    assert.equal(fs.existsSync(`${file}-wal`), false);
  });
});
