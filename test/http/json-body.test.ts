import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ListWithSharedParts, serializeJson, SharedJson } from '../../src/http/json-body.js';

const text = (value: string | Buffer) => (Buffer.isBuffer(value) ? value.toString('utf8') : value);

describe('JSON replies', () => {
  it('writes the bytes JSON.stringify would, for small values and for long lists item by item', () => {
    const job = (i: number) => ({ id: i, name: `build ${i} – ünïcödé 🚀`, when: new Date(Date.UTC(2026, 0, 1, 0, 0, i)), tags: ['a', 'b'], nothing: undefined, nested: { toJSON: () => `j${i}` } });
    const cases: unknown[] = [
      { message: '404 Job Not Found' },
      [],
      [job(1)],
      Array.from({ length: 100 }, (_, i) => job(i)),
      Array.from({ length: 40 }, (_, i) => (i % 7 === 0 ? undefined : i % 5 === 0 ? null : job(i))),
      Array.from({ length: 20 }, () => '"quoted\\\n\u2028'),
    ];
    for (const value of cases) assert.equal(text(serializeJson(value)), JSON.stringify(value));
  });

  it('answers a long list as one Buffer of its exact length', () => {
    const body = serializeJson(Array.from({ length: 50 }, (_, i) => ({ id: i, name: 'é'.repeat(i) })));
    assert.ok(Buffer.isBuffer(body));
    assert.equal(body.length, Buffer.byteLength(body.toString('utf8')));
    assert.doesNotThrow(() => JSON.parse(body.toString('utf8')));
  });

  it('splices values shared by the items of a list in where their stand-ins are, as JSON.stringify would have written them', () => {
    const user = { id: 1, name: 'Ädmin 🚀', bio: '"quoted"\n' };
    const commit = { id: 'abc', parent_ids: [], trailers: {} };
    for (const count of [0, 1, 3, 100]) {
      const plain = Array.from({ length: count }, (_, i) => ({
        id: i,
        // Strings that look like stand-ins without the process's secret part stay as they are.
        name: i % 2 ? '\u00000:0' : `job ${i} – é`,
        user: i % 3 ? user : null,
        commit,
        last: [i],
      }));
      const shared = new SharedJson();
      const userStandIn = shared.share(user);
      const commitStandIn = shared.share(commit);
      const items = plain.map((job) => ({ ...job, user: job.user === null ? null : userStandIn, commit: commitStandIn }));
      const body = serializeJson(new ListWithSharedParts(items, shared));
      assert.ok(Buffer.isBuffer(body));
      assert.equal(text(body), JSON.stringify(plain));
    }
  });
});
