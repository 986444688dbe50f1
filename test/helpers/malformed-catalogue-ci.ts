/**
 * Hand-picked malformed requests for the CI routes: creating and reading pipelines, the CI/CD
 * variables of projects and groups, and CI Lint. Part of the fixed catalogue (`malformed-catalogue.ts`).
 */
import { RequestList, type Fixtures } from './malformed-routes.js';
import type { FuzzRequest } from './raw-http.js';

/** Strings that are no ref anyone could push, and refs that do exist. */
export const BAD_REFS: unknown[] = [
  '', ' ', 'nope', '-x', '--upload-pack=touch /tmp/x', '../../etc', 'refs/heads/main', 'refs/heads/../main', 'main~1', 'main^{tree}', 'HEAD',
  'HEAD@{0}', '@{-1}', 'main:README.md', 'main..feature/x', 'main\n', 'main.lock', '.main', 'a'.repeat(2000), 'x'.repeat(1025), '\ud800',
  '💩', 'ma in', 'ma*in', 'main/', '/main', 'refs/tags/v1.0', 'v1.0', 'feature/x', 'FETCH_HEAD', 0, 123, 1.5, -1, true, null, ['main'], [],
  { a: 1 }, { ref: 'main' },
];

/** YAML that costs a naive parser dearly: alias bombs, deep nesting, huge scalars, odd tags. */
export function yamlBombs(): Array<[string, string]> {
  const laughs = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
  for (let i = 1; i < 12; i++) {
    const prev = String.fromCharCode(96 + i);
    const cur = String.fromCharCode(97 + i);
    laughs.push(`${cur}: &${cur} [${Array(9).fill(`*${prev}`).join(',')}]`);
  }
  const indented = Array.from({ length: 3000 }, (_, i) => `${' '.repeat(i)}k${i}:`).join('\n') + ' 1';
  const anchors = Array.from({ length: 5000 }, (_, i) => `a${i}: &x${i} {x: 1}`).join('\n');
  return [
    ['billion laughs', `${laughs.join('\n')}\njob:\n  script: *l\n`],
    ['merge-key bomb', `${laughs.join('\n')}\njob:\n  <<: {script: *l}\n`],
    ['deep flow sequence', '['.repeat(50_000)],
    ['deep closed flow sequence', `job: ${'['.repeat(20_000)}${']'.repeat(20_000)}`],
    ['deep flow mapping', `${'{a: '.repeat(20_000)}1${'}'.repeat(20_000)}`],
    ['deep block mapping', indented],
    ['deep block sequence', Array.from({ length: 3000 }, (_, i) => `${' '.repeat(i * 2)}- `).join('\n') + 'x'],
    ['thousands of anchors', anchors],
    ['recursive alias', 'a: &a [*a]\njob:\n  script: *a\n'],
    ['undefined alias', 'job:\n  script: *nope\n'],
    ['binary tag', 'job:\n  script: !!binary AAAA\n'],
    ['ruby object tag', 'job: !ruby/object:Gem::Installer\n  i: x\n'],
    ['unknown tags', 'job: !!python/object/apply:os.system ["id"]\n'],
    ['reference loop', 'a:\n  script: !reference [b, script]\nb:\n  script: !reference [a, script]\n'],
    ['deep reference', `job:\n  script: !reference [${Array(200).fill('x').join(', ')}]\n`],
    ['extends loop', 'a:\n  extends: b\n  script: x\nb:\n  extends: a\n'],
    ['extends chain', Array.from({ length: 300 }, (_, i) => `j${i}:\n  extends: j${i + 1}\n  script: x`).join('\n')],
    ['needs cycle', 'a:\n  script: x\n  needs: [b]\nb:\n  script: x\n  needs: [a]\n'],
    ['include traversal', 'include:\n  - local: ../../../../etc/passwd.yml\njob:\n  script: x\n'],
    ['include NUL', 'include:\n  - local: "a\\0.yml"\njob:\n  script: x\n'],
    ['include wildcard soup', `include: "${'**/'.repeat(40)}*.yml"\njob:\n  script: x\n`],
    ['include project NUL', 'include:\n  - project: "a\\0b"\n    file: x.yml\njob:\n  script: x\n'],
    ['include remote', 'include: http://127.0.0.1:1/x.yml\njob:\n  script: x\n'],
    ['include self', 'include: .gitlab-ci.yml\njob:\n  script: x\n'],
    ['huge integer', `job:\n  script: x\n  timeout: ${'9'.repeat(500)}\n  retry: ${'9'.repeat(400)}\n  parallel: ${'9'.repeat(400)}\n`],
    ['parallel matrix bomb', `job:\n  script: x\n  parallel:\n    matrix:\n${Array.from({ length: 6 }, (_, i) => `      - V${i}: [${Array(50).fill('a').join(', ')}]`).join('\n')}\n`],
    ['rules regex bomb', 'job:\n  script: x\n  rules:\n    - if: \'$CI_COMMIT_REF_NAME =~ /(a+)+$/\'\n'],
    ['invalid regex', 'job:\n  script: x\n  rules:\n    - if: \'$CI_COMMIT_REF_NAME =~ /(?<!a)[/\'\n'],
    ['variables expansion bomb', `variables:\n${Array.from({ length: 20 }, (_, i) => `  V${i}: "${Array(10).fill(`$V${i + 1}`).join('')}"`).join('\n')}\njob:\n  script: $V0\n  rules:\n    - if: $V0 == "x"\n`],
    ['BOM and NUL', '\ufeffjob:\n  script: "\\0"\n'],
    ['lone surrogate escape', 'job:\n  script: "\\ud800"\n'],
    ['tabs', 'job:\n\tscript: x\n'],
    ['document stream', 'a: 1\n---\nb: 2\n...\n---\n'],
    ['duplicate keys', 'job:\n  script: x\njob:\n  script: y\n'],
    ['only keys', ':\n:\n:\n'],
    ['__proto__ job', '__proto__:\n  script: x\nconstructor:\n  script: y\ntoString:\n  script: z\n'],
    ['__proto__ variables', 'variables:\n  __proto__: x\n  constructor: y\njob:\n  script: x\n  variables:\n    __proto__: {value: x}\n'],
    ['dates and floats', 'job:\n  script: x\n  start_in: 2024-02-30\n  timeout: .inf\n  retry: .nan\n'],
  ];
}

function pipelines(b: RequestList, fx: Fixtures): void {
  const pid = fx.repo.id;
  const create = `/api/v4/projects/${pid}/pipeline`;
  const value = (key: unknown, v: unknown = 'x', extra: Record<string, unknown> = {}) => ({ key, value: v, ...extra });
  for (const ref of BAD_REFS) b.json(`POST pipeline ref ${JSON.stringify(ref)?.slice(0, 30)}`, 'POST', create, { ref });
  b.json('POST pipeline ref sha', 'POST', create, { ref: fx.repo.shas[0] });
  b.json('POST pipeline no ref', 'POST', create, { variables: [] });
  b.json('POST pipeline ref NUL', 'POST', create, '{"ref":"ma\\u0000in"}');
  for (const variables of [
    'x', 1, true, {}, { key: 'A', value: 'x' }, [1], ['A'], [null], [[]], [{}], [{ value: 'x' }], [value('A B')], [value('')], [value('a-b')],
    [value('ü')], [value(' A')], [value('A\n')], [value('x'.repeat(300))], [value('A', 'x'.repeat(100_001))], [value('A', { nested: 1 })],
    [value('A', ['x'])], [value('A', null)], [value('A', 1)], [value({ a: 1 })], [value(['A'])], [value(1)], [value('A', 'x', { variable_type: 'nope' })],
    [value('A', 'x', { variable_type: ['file'] })], [value('A', 'x', { secret_value: 'y', extra: { deep: [1] } })], [value('__proto__')],
    [value('constructor')], [value('hasOwnProperty')], [value('toString')], [value('CI_JOB_TOKEN')], [value('CI_PIPELINE_SOURCE', 'push')],
    [value('GREETING', '$GREETING$GREETING')], [value('FUZZ', '1'), value('FUZZ', '0')],
    [value('A', '$B$B$B$B$B$B$B$B'), value('B', '$A$A$A$A$A$A$A$A'), value('FUZZ', '$A')], [value('FUZZ', '1', { variable_type: 'file' })],
    Array.from({ length: 201 }, (_, i) => value(`V${i}`)), Array.from({ length: 200 }, (_, i) => value(`V${i}`, 'v'.repeat(5000))),
  ]) {
    b.json(`POST pipeline variables ${JSON.stringify(variables).slice(0, 40)}`, 'POST', create, { ref: 'main', variables });
  }
  b.json('POST pipeline variables near the body limit', 'POST', create, { ref: 'main', variables: Array.from({ length: 10 }, (_, i) => value(`BIG${i}`, 'v'.repeat(99_000))) });
  b.json('POST pipeline variables over the body limit', 'POST', create, { ref: 'main', variables: Array.from({ length: 11 }, (_, i) => value(`BIG${i}`, 'v'.repeat(99_000))) });
  b.json('POST pipeline variable value NUL', 'POST', create, '{"ref":"main","variables":[{"key":"A","value":"a\\u0000b"}]}');
  b.json('POST pipeline variables deep', 'POST', create, `{"ref":"main","variables":${'['.repeat(5000)}${']'.repeat(5000)}}`);
  for (const form of [
    'ref=main&variables[][key]=A&variables[][value]=1', 'ref=main&variables[0][key]=A&variables[0][value]=1', 'ref=main&variables=x',
    'ref=main&variables[key]=A', 'ref=main&variables[][key][]=A', 'ref[]=main', 'ref[a]=main', 'ref=main&variables[][key]=A%20B',
    'ref=main&variables[][value]=x', `ref=main&${Array.from({ length: 300 }, (_, i) => `variables[][key]=K${i}`).join('&')}`,
  ]) {
    b.form(`POST pipeline form ${form.slice(0, 40)}`, 'POST', create, form);
  }
  b.body('POST pipeline text/plain', 'POST', create, 'text/plain', 'ref=main');
  b.body('POST pipeline binary', 'POST', create, 'application/octet-stream', Buffer.from([0, 1, 2, 0xff, 0xfe]));

  const list = `/api/v4/projects/${pid}/pipelines`;
  for (const q of [
    'status=x', 'status=', 'status[]=running', 'scope=x', 'scope=', 'scope[]=tags', 'scope=tags', 'scope=branches', 'scope=finished',
    'updated_after=notadate', 'updated_after=2016-12-31T23:59:60Z', 'updated_after=2024-02-30T00:00:00Z', 'updated_after=0000-01-01T00:00:00Z',
    'updated_after=9999-12-31T23:59:59Z', 'updated_after=2024-01-01T00:00:00+23:59', 'updated_after=2024-01-01T00:00:00-23:59',
    'updated_after=+275760-09-13T00:00:00Z', 'updated_after=2024-01-01t00:00:00z', 'updated_after=2024-01-01T00:00:00.123456789Z',
    'updated_after[]=2024-01-01T00:00:00Z', 'updated_after=', 'updated_before=2024-01-01', 'updated_before=1700000000',
    'updated_before=2016-12-31T23:59:60%2B00:00', 'updated_before=1970-01-01T00:00:60Z', 'order_by=x', 'order_by=', 'order_by[]=id',
    'order_by=constructor', 'order_by=__proto__', 'order_by=updated_at&sort=asc', 'order_by=user_id', 'sort=x', 'sort=', 'sort[]=asc',
    'username=%00', 'username[]=root', 'username=nobody', 'yaml_errors=maybe', 'yaml_errors[]=true', 'yaml_errors=true', 'ref[]=main',
    `ref=${'r'.repeat(1100)}`, `sha=${'f'.repeat(100)}`, 'source[a]=1', 'name=%FF', 'page=-1&per_page=0', 'pagination=keyset', 'pagination=keyset&order_by=id',
  ]) {
    b.get(`GET pipelines ?${q.slice(0, 40)}`, `${list}?${q}`);
  }
  for (const q of ['', 'ref=', 'ref=nope', 'ref=%00', 'ref[]=main', 'ref[a]=1', 'ref=-x', `ref=${'r'.repeat(2000)}`, 'ref=refs%2Fheads%2Fmain', 'ref=v1.0', 'ref=feature%2Fx', 'ref=..']) {
    b.get(`GET pipelines/latest ?${q.slice(0, 30)}`, `${list}/latest?${q}`);
  }
  const [valid] = fx.pipelines;
  const ids = ['0', '-1', '2147483647', '2147483648', '9223372036854775808', '1.5', '1e3', 'abc', '%00', '%20', '0x10', '+1', String(valid), `${valid}%00`, `${valid}.json`];
  for (const id of ids) {
    b.get(`GET pipeline ${id}`, `${list}/${id}`);
    b.get(`GET pipeline variables ${id}`, `${list}/${id}/variables`);
    b.send(`POST cancel ${id}`, 'POST', `${list}/${id}/cancel`);
    b.send(`POST retry ${id}`, 'POST', `${list}/${id}/retry`);
  }
  // Another project's pipeline through this project, and this project's through another.
  b.get('GET pipeline of another project', `/api/v4/projects/${fx.projects[0].id}/pipelines/${valid}`);
  b.send('POST retry of another project', 'POST', `/api/v4/projects/${fx.projects[0].id}/pipelines/${valid}/retry`);
  b.send('POST cancel as reporter-less user', 'POST', `${list}/${valid}/cancel`, b.headers(fx.readOnly.token));
  b.json('POST cancel with a body', 'POST', `${list}/${valid}/cancel`, '{"a":');
  b.send('DELETE pipeline as developer', 'DELETE', `${list}/${valid}`, b.headers(fx.user.token));
  for (const id of ['0', '2147483648', 'abc', '%00']) b.send(`DELETE pipeline ${id}`, 'DELETE', `${list}/${id}`);
  // Deleting a real pipeline, then acting on it.
  const doomed = fx.pipelines[fx.pipelines.length - 1];
  b.send('DELETE pipeline (real)', 'DELETE', `${list}/${doomed}`);
  b.send('DELETE pipeline again', 'DELETE', `${list}/${doomed}`);
  b.send('POST retry of a deleted pipeline', 'POST', `${list}/${doomed}/retry`);
}

function variables(b: RequestList, fx: Fixtures): void {
  for (const [kind, base, key] of [
    ['project', `/api/v4/projects/${fx.repo.id}/variables`, fx.variables.project[0]],
    ['group', `/api/v4/groups/${fx.groups[0].id}/variables`, fx.variables.group[0]],
  ] as const) {
    for (const body of [
      {}, { key: 'ONLY_KEY' }, { value: 'only value' }, { key: 'A B', value: 'x' }, { key: '', value: 'x' }, { key: 'a-b', value: 'x' },
      { key: 'x'.repeat(256), value: 'x' }, { key: '__proto__', value: 'x' }, { key: 'constructor', value: 'x' }, { key: 'ü', value: 'x' },
      { key: 'MASK1', value: 'short', masked: true }, { key: 'MASK2', value: 'has\nnewline-12345', masked: true }, { key: 'MASK3', value: 'x'.repeat(20), masked: 'maybe' },
      { key: 'MASK4', value: '$(whoami)!!', masked: 'true' }, { key: 'K1', value: 1 }, { key: 'K2', value: { a: 1 } }, { key: 'K3', value: ['x'] },
      { key: 'K4', value: null }, { key: ['K5'], value: 'v' }, { key: { a: 1 }, value: 'v' }, { key: 5, value: 'v' }, { key: 'K6', value: 'v', protected: 'maybe' },
      { key: 'K7', value: 'v', variable_type: 'nope' }, { key: 'K8', value: 'v', environment_scope: '' }, { key: 'K9', value: 'v', environment_scope: 'e'.repeat(300) },
      { key: 'K10', value: 'v', environment_scope: ['*'] }, { key: 'K11', value: 'v', environment_scope: 'review/*' }, { key: 'K12', value: 'v', description: 5 },
      { key: 'K13', value: 'v', description: { a: 1 } }, { key: 'K14', value: 'v'.repeat(10_001) }, { key: 'K15', value: 'v', raw: [] },
      { key: 'K16', value: 'v', filter: 'x' }, { key: key, value: 'duplicate' }, { key: 'K17', value: 'v', environment_scope: '%00' },
    ]) {
      b.json(`POST ${kind} variable ${JSON.stringify(body).slice(0, 50)}`, 'POST', base, body);
    }
    b.json(`POST ${kind} variable NUL value`, 'POST', base, '{"key":"NUL","value":"a\\u0000b"}');
    b.json(`POST ${kind} variable JSON array`, 'POST', base, '[{"key":"A","value":"b"}]');
    b.form(`POST ${kind} variable form soup`, 'POST', base, 'key[]=A&value[a]=b&masked=maybe');
    b.form(`POST ${kind} variable form filter`, 'POST', base, 'key=FORM_A&value=b&filter[environment_scope][]=x');
    for (const q of [
      '', 'filter[environment_scope]=production', 'filter[environment_scope]=*', 'filter[environment_scope]=', 'filter=x', 'filter[]=x',
      'filter[environment_scope][]=x', 'filter[environment_scope][a]=1', `filter[environment_scope]=${'e'.repeat(300)}`, 'filter[environment_scope]=%00',
    ]) {
      b.get(`GET ${kind} variable ?${q.slice(0, 30)}`, `${base}/${key}?${q}`);
      b.get(`GET ${kind} SCOPED_VAR ?${q.slice(0, 30)}`, `${base}/SCOPED_VAR?${q}`);
    }
    for (const k of ['A%20B', '__proto__', 'constructor', 'x'.repeat(300), '%00', '%C3%BC', '%2E%2E', 'A%2FB']) {
      b.get(`GET ${kind} variable key ${k.slice(0, 20)}`, `${base}/${k}`);
      b.json(`PUT ${kind} variable key ${k.slice(0, 20)}`, 'PUT', `${base}/${k}`, { value: 'x' });
    }
    for (const body of [
      { value: 'x' }, { masked: true, value: 'short' }, { masked: true }, { value: 1 }, { value: { a: 1 } }, { filter: 'x' }, { filter: ['x'] },
      { filter: { environment_scope: 1 } }, { filter: { environment_scope: 'nope' }, value: 'x' }, { environment_scope: 'production', filter: { environment_scope: '*' } },
      { key: 'RENAMED' }, { variable_type: 'nope' }, { description: null }, { protected: 'maybe' }, { environment_scope: '' },
    ]) {
      b.json(`PUT ${kind} variable ${JSON.stringify(body).slice(0, 50)}`, 'PUT', `${base}/${key}`, body);
    }
    b.json(`PUT ${kind} SCOPED_VAR ambiguous`, 'PUT', `${base}/SCOPED_VAR`, { value: 'which one' });
    b.json(`PUT ${kind} SCOPED_VAR into a taken scope`, 'PUT', `${base}/SCOPED_VAR?filter[environment_scope]=production`, { environment_scope: 'review/*' });
    b.send(`DELETE ${kind} variable bad filter`, 'DELETE', `${base}/${key}?filter=x`);
    b.send(`DELETE ${kind} variable unknown`, 'DELETE', `${base}/NOPE_NOPE`);
    b.send(`DELETE ${kind} variable as read-only`, 'DELETE', `${base}/${key}`, b.headers(fx.readOnly.token));
  }
}

function lint(b: RequestList, fx: Fixtures): void {
  const url = `/api/v4/projects/${fx.repo.id}/ci/lint`;
  for (const content of [undefined, 1, 0, true, null, [], ['job: {script: x}'], {}, { job: { script: 'x' } }, '', ' ', '\t\n', 'x'.repeat(300)]) {
    b.json(`POST lint content ${JSON.stringify(content)?.slice(0, 30)}`, 'POST', url, content === undefined ? {} : { content });
  }
  const junk = Buffer.alloc(4096);
  for (let i = 0; i < junk.length; i++) junk[i] = (i * 151 + 7) % 256;
  b.json('POST lint binary junk', 'POST', url, { content: junk.toString('latin1') });
  b.body('POST lint invalid UTF-8 body', 'POST', url, 'application/json', Buffer.concat([Buffer.from('{"content":"'), junk.subarray(0, 200).filter((c) => c !== 0x22 && c !== 0x5c && c >= 0x20), Buffer.from('"}')]));
  b.json('POST lint NUL content', 'POST', url, '{"content":"job:\\n  script: \\u0000"}');
  const near = 1024 * 1024 - 200;
  b.json('POST lint content near the body limit', 'POST', url, { content: `job:\n  script: "${'x'.repeat(near - 40)}"\n` });
  b.json('POST lint comment near the body limit', 'POST', url, { content: `#${'#'.repeat(near)}\njob: {script: x}\n` });
  b.json('POST lint many jobs near the body limit', 'POST', url, { content: Array.from({ length: 30_000 }, (_, i) => `j${i}: {script: x}`).join('\n') });
  b.json('POST lint content over the body limit', 'POST', url, { content: 'x'.repeat(1024 * 1024 + 10) });
  for (const [label, content] of yamlBombs()) {
    b.json(`POST lint ${label}`, 'POST', url, { content });
    b.json(`POST lint dry run ${label}`, 'POST', url, { content, dry_run: true });
  }
  for (const extra of [
    { dry_run: 'maybe' }, { dry_run: [] }, { dry_run: {} }, { dry_run: 2 }, { include_jobs: 'maybe' }, { ref: 1 }, { ref: ['main'] }, { ref: '-x', dry_run: true },
    { ref: 'x'.repeat(1100), dry_run: true }, { ref: '..', dry_run: true }, { ref: 'refs/heads/../x', dry_run: true }, { ref: '', dry_run: true },
  ]) {
    b.json(`POST lint ${JSON.stringify(extra).slice(0, 40)}`, 'POST', url, { content: 'job:\n  script: x\n', ...extra });
  }
  b.form('POST lint form', 'POST', url, 'content=job%3A%0A++script%3A+x&dry_run=maybe');
  b.form('POST lint form array content', 'POST', url, 'content[]=a&content[]=b');
  for (const q of ['dry_run=maybe', 'dry_run=true', 'dry_run[]=true', 'include_jobs=maybe', 'ref[]=main', `content_ref=${'x'.repeat(1100)}`, 'dry_run=true&dry_run_ref=-x', 'dry_run=true&dry_run_ref=%00', 'dry_run=true&ref=..']) {
    b.get(`GET lint ?${q.slice(0, 30)}`, `${url}?${q}`);
  }
  b.get('GET lint anonymous', url, b.headers(null));
  b.json('POST lint as read-only', 'POST', url, { content: 'job: {script: x}' }, b.headers(fx.readOnly.token));
}

export function ciCatalogue(fx: Fixtures, host: string): FuzzRequest[] {
  const b = new RequestList(host);
  variables(b, fx);
  lint(b, fx);
  // Last: it deletes a pipeline.
  pipelines(b, fx);
  return b.out;
}
