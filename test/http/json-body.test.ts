import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { serializeJson } from '../../src/http/json-body.js';

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
});
