import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DIALECTS } from '../helpers/databases.js';
import { createGroup, createProject } from '../helpers/fixtures.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

function links(header: string | null): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (header ?? '').split(', ')) {
    const m = part.match(/^<([^>]+)>; rel="([^"]+)"$/);
    if (m) out[m[2]] = m[1];
  }
  return out;
}

for (const dialect of DIALECTS) {
  describe(`pagination (${dialect})`, () => {
    let t: TestServer;
    let group: any;
    let ids: number[];
    before(async () => {
      t = await startTestServer(dialect);
      group = await createGroup(t);
      ids = [];
      for (let i = 0; i < 7; i++) ids.push((await createProject(t, { namespace_id: group.id, name: `p${i}` })).id);
    });
    after(() => t.close());

    const base = () => `/groups/${group.id}/projects`;

    it('sends X-* headers and prev/next/first/last links keeping every parameter', async () => {
      const res = await t.api('GET', `${base()}?per_page=3&page=2&simple=true&scope[]=a&scope[]=b`);
      assert.equal(res.status, 200);
      assert.deepEqual(res.body.map((p: any) => p.id), [ids[3], ids[2], ids[1]]);
      assert.equal(res.headers.get('x-page'), '2');
      assert.equal(res.headers.get('x-per-page'), '3');
      assert.equal(res.headers.get('x-next-page'), '3');
      assert.equal(res.headers.get('x-prev-page'), '1');
      assert.equal(res.headers.get('x-total'), '7');
      assert.equal(res.headers.get('x-total-pages'), '3');
      const link = res.headers.get('link')!;
      assert.match(link, /^<[^>]+>; rel="prev", <[^>]+>; rel="next", <[^>]+>; rel="first", <[^>]+>; rel="last"$/);
      const l = links(link);
      assert.equal(l.next, `${t.apiUrl}/groups/${group.id}/projects?id=${group.id}&page=3&per_page=3&scope%5B%5D=a&scope%5B%5D=b&simple=true`);
      assert.match(l.prev, /[?&]page=1&/);
      assert.match(l.last, /[?&]page=3&/);
    });

    it('leaves rel="next" out and sends an empty X-Next-Page on the last page', async () => {
      const res = await t.api('GET', `${base()}?per_page=3&page=3`);
      assert.deepEqual(res.body.map((p: any) => p.id), [ids[0]]);
      assert.equal(res.headers.get('x-next-page'), '');
      assert.equal(links(res.headers.get('link')).next, undefined);
      const beyond = await t.api('GET', `${base()}?per_page=3&page=9`);
      assert.deepEqual([beyond.status, beyond.body], [200, []]);
    });

    it('follows next links to the end and sees every row once', async () => {
      const seen: number[] = [];
      let url: string | undefined = `${t.apiUrl}${base()}?per_page=2`;
      while (url) {
        const res: { body: any[]; headers: Headers } = await t.api('GET', url);
        seen.push(...res.body.map((p: any) => p.id));
        url = links(res.headers.get('link')).next;
      }
      assert.deepEqual(seen.sort((a, b) => a - b), [...ids].sort((a, b) => a - b));
    });

    it('handles per_page=0, per_page=500, negative values and page=abc as GitLab does', async () => {
      const zero = await t.api('GET', `${base()}?per_page=0`);
      assert.deepEqual([zero.status, zero.body], [400, { error: 'per_page has a value not allowed' }]);
      const huge = await t.api('GET', `/projects?per_page=500`);
      assert.equal(huge.status, 200);
      assert.equal(huge.headers.get('x-per-page'), '100');
      const negative = await t.api('GET', `${base()}?per_page=-4&page=-2`);
      assert.equal(negative.headers.get('x-per-page'), '20');
      assert.equal(negative.headers.get('x-page'), '1');
      const abc = await t.api('GET', `${base()}?page=abc`);
      assert.deepEqual([abc.status, abc.body], [400, { error: 'page is invalid' }]);
      const badMode = await t.api('GET', `${base()}?pagination=sideways`);
      assert.deepEqual([badMode.status, badMode.body], [400, { error: 'pagination does not have a valid value' }]);
    });

    it('pages by keyset with only a rel="next" Link and none on the last page', async () => {
      const first = await t.api('GET', `/projects?pagination=keyset&order_by=id&sort=asc&per_page=4&search=p`);
      assert.equal(first.status, 200);
      for (const header of ['x-total', 'x-total-pages', 'x-page', 'x-per-page', 'x-next-page', 'x-prev-page']) {
        assert.equal(first.headers.get(header), null, header);
      }
      const next = links(first.headers.get('link')).next;
      assert.ok(next);
      assert.equal(next, `${t.apiUrl}/projects?id_after=${ids[3]}&order_by=id&pagination=keyset&per_page=4&search=p&sort=asc`);
      assert.deepEqual(Object.keys(links(first.headers.get('link'))), ['next']);
      const second = await t.api('GET', next);
      assert.equal(second.headers.get('link'), null);
      assert.deepEqual([...first.body, ...second.body].map((p: any) => p.id), [...ids]);
      const desc = await t.api('GET', `/projects?pagination=keyset&order_by=id&sort=desc&per_page=100`);
      assert.deepEqual(desc.body.map((p: any) => p.id), [...ids].reverse());
    });

    it('filters by id_after and id_before in offset mode too', async () => {
      const after = await t.api('GET', `${base()}?order_by=id&sort=asc&id_after=${ids[4]}`);
      assert.deepEqual(after.body.map((p: any) => p.id), [ids[5], ids[6]]);
      const before = await t.api('GET', `/projects?order_by=id&sort=desc&id_before=${ids[2]}&search=p`);
      assert.deepEqual(before.body.map((p: any) => p.id), [ids[1], ids[0]]);
    });

    it('refuses keyset orders it cannot serve with 405, and garbage cursors with 400', async () => {
      const res = await t.api('GET', `/projects?pagination=keyset&order_by=name&sort=asc`);
      assert.deepEqual([res.status, res.body], [405, { error: 'Keyset pagination is not yet available for this type of request' }]);
      const badAfter = await t.api('GET', `/projects?pagination=keyset&order_by=id&sort=asc&id_after=abc`);
      assert.deepEqual([badAfter.status, badAfter.body], [400, { error: 'id_after is invalid' }]);
    });

    it('orders offset pages by order_by and sort', async () => {
      const byName = await t.api('GET', `${base()}?order_by=name&sort=asc`);
      assert.deepEqual(byName.body.map((p: any) => p.name), ['p0', 'p1', 'p2', 'p3', 'p4', 'p5', 'p6']);
      const bad = await t.api('GET', `${base()}?order_by=stars`);
      assert.deepEqual([bad.status, bad.body], [400, { error: 'order_by does not have a valid value' }]);
    });
  });
}
