/**
 * Random values for the fields, path slots and headers of the CI and git routes, for the generator
 * (`malformed-generator.ts`): pipeline refs and `variables` of every shape, CI/CD variable settings,
 * CI Lint content, protected-branch levels, pkt-line bodies and HTTP Basic credentials.
 */
import { BAD_REFS, yamlBombs } from './malformed-catalogue-ci.js';
import { badBasicHeaders, gitBodies } from './malformed-catalogue-git.js';
import type { Rng } from './malformed-catalogue.js';
import { basicAuth, type Fixtures, type Header } from './malformed-routes.js';
import { ROOT_TOKEN } from './server.js';

const enc = encodeURIComponent;

/** A valid value for the CI and git slots, or undefined for the slots the generator knows itself. */
export function validSlot(rng: Rng, fx: Fixtures, slot: string): string | undefined {
  switch (slot) {
    case 'rpid': {
      if (rng.chance(0.2)) return String(rng.pick(fx.projects).id);
      return rng.chance(0.7) ? String(fx.repo.id) : rng.pick([enc(fx.repo.path_with_namespace), enc(fx.repo.path_with_namespace).toUpperCase()]);
    }
    case 'plid':
      return String(rng.pick(fx.pipelines));
    case 'pkey':
      return rng.pick([...fx.variables.project, 'NOPE']);
    case 'gkey':
      return rng.pick([...fx.variables.group, 'NOPE']);
    case 'sha':
      return rng.pick([...fx.repo.shas, fx.repo.shas[0].slice(0, 8), ...fx.repo.branches.map(enc), ...fx.repo.tags]);
    case 'fpath':
      return enc(rng.pick(fx.repo.files));
    case 'branch':
      return enc(rng.pick([...fx.protectedBranches, ...fx.repo.branches]));
    case 'repo':
      return rng.chance(0.75) ? fx.repo.path_with_namespace : rng.pick(fx.projects).path_with_namespace;
    case 'gitjunk':
      return rng.pick(['info/refs', 'git-upload-pack', 'git-receive-pack']);
    default:
      return undefined;
  }
}

function variablesValue(rng: Rng): unknown {
  const key = () => rng.pick(['FUZZ', 'A', 'A B', '', 'a-b', '__proto__', 'constructor', 'CI_JOB_TOKEN', 'GREETING', 'x'.repeat(300), 'ü', 1, null, ['A'], { a: 1 }]);
  const value = () => rng.pick(['1', '0', 'x', '', '$GREETING', '$A$A$A$A', 'x'.repeat(rng.pick([10, 5000, 100_001])), 1, true, null, ['x'], { nested: { a: 1 } }]);
  const item = (): unknown => {
    const kind = rng.int(6);
    if (kind === 0) return rng.pick([1, 'A', null, [], [{ key: 'A' }]]);
    const out: Record<string, unknown> = {};
    if (kind !== 1) out.key = key();
    if (kind !== 2) out.value = value();
    if (rng.chance(0.3)) out.variable_type = rng.pick(['env_var', 'file', 'nope', 1, ['file']]);
    if (rng.chance(0.1)) out[rng.pick(['secret_value', 'protected', '__proto__'])] = rng.pick([true, 'x', { a: 1 }]);
    return out;
  };
  if (rng.chance(0.15)) return rng.pick(['x', 1, true, {}, { key: 'A', value: 'b' }, null]);
  return Array.from({ length: rng.pick([0, 1, 1, 2, 3, 10, 201]) }, item);
}

let bombs: Array<[string, string]> | undefined;
/** Per head sha: each dialect's server has its own commits. */
const bodies = new Map<string, Array<[string, Buffer]>>();

function lintContent(rng: Rng): unknown {
  bombs ??= yamlBombs();
  return rng.weighted([
    [5, () => rng.pick(bombs!)[1]],
    [3, () => rng.pick(['job:\n  script: x\n', 'stages: [a]\njob:\n  stage: b\n  script: x\n', 'job: {}', 'include: x.yml', '[]', '"str"', 'a: *b', '{', '- - -', '\t\t:'])],
    [1, () => Buffer.from(Array.from({ length: rng.pick([16, 600, 5000]) }, () => rng.int(256))).toString('latin1')],
    [1, () => `job:\n  script: "${'x'.repeat(rng.pick([1000, 500_000, 1_040_000]))}"\n`],
  ] as const)();
}

/** A value for one of the CI and git routes' fields, or undefined for the fields the generator knows itself. */
export function ciFieldValue(rng: Rng, fx: Fixtures, field: string): unknown {
  switch (field) {
    case 'ref':
      return rng.chance(0.5) ? rng.pick([...fx.repo.branches, ...fx.repo.tags, ...fx.repo.shas]) : rng.pick(BAD_REFS);
    case 'variables':
      return variablesValue(rng);
    case 'key':
      return rng.pick([`FZ_${rng.int(1e6)}`, ...fx.variables.project, ...fx.variables.group, 'A B', '', '__proto__', 'x'.repeat(256), 'a-b']);
    case 'value':
      return rng.pick(['plain', 'maskable-value-123', 'short', 'has\nnewline-123', 'x'.repeat(rng.pick([10, 10_001])), '$(id)']);
    case 'variable_type':
      return rng.pick(['env_var', 'file', 'nope']);
    case 'environment_scope':
      return rng.pick(['*', 'production', 'review/*', '', 'e'.repeat(300), '**', 'a b']);
    case 'filter':
      return rng.pick([{ environment_scope: rng.pick(['*', 'production', 'review/*', 'nope']) }, { environment_scope: ['x'] }, 'x', ['x'], {}]);
    case 'content':
      return lintContent(rng);
    case 'dry_run':
    case 'include_jobs':
    case 'masked':
    case 'raw':
    case 'protected':
    case 'allow_force_push':
      return rng.pick([true, false, 'true', '0', 'maybe', [], 2]);
    case 'push_access_level':
    case 'merge_access_level':
      return rng.pick([0, 30, 40, '30', 31, 60, -1, 2 ** 31, 'maybe', [30]]);
    default:
      return undefined;
  }
}

/** A name for a protected branch (the `name` field also names users, projects and groups). */
export function branchName(rng: Rng): string {
  return rng.pick([`fz-${rng.int(1e6)}`, `fz/*/${rng.int(1e6)}`, '*', '**', '-x', 'a..b', 'a b', 'x'.repeat(256), 'main', 'v*', '*a'.repeat(127)]);
}

/** A git request body: pkt-lines gone wrong, or random bytes, sometimes gzipped, sometimes big. */
export function gitBody(rng: Rng, fx: Fixtures, receive: boolean): { contentType?: string; body?: Buffer; headers: Header[] } {
  const headers: Header[] = [];
  let body = rng.weighted<() => Buffer | undefined>([
    [6, () => {
      const sha = fx.repo.shas[0];
      if (!bodies.has(sha)) bodies.set(sha, gitBodies(sha));
      return rng.pick(bodies.get(sha)!)[1];
    }],
    [2, () => Buffer.from(Array.from({ length: rng.pick([1, 64, 4096, 100_000]) }, () => rng.int(256)))],
    [1, () => Buffer.alloc(rng.pick([1024 * 1024, 2 * 1024 * 1024]), rng.pick(['0', 'f', '\0']))],
    [1, () => undefined],
  ] as const)();
  if (body && rng.chance(0.1)) headers.push(['Content-Encoding', rng.pick(['gzip', 'deflate', 'x'])]);
  if (rng.chance(0.1)) headers.push(['Git-Protocol', rng.pick(['version=2', 'version=1', 'version=9', 'x'.repeat(3000), '\xff'])]);
  const type = rng.chance(0.8) ? `application/x-git-${receive ? 'receive' : 'upload'}-pack-request` : rng.pick(['application/json', 'text/plain', '', 'application/x-git-']);
  if (body && rng.chance(0.05)) body = body.subarray(0, 0);
  return { contentType: type, body, headers };
}

/** Credentials for git's routes: mostly HTTP Basic, good or broken. */
export function gitAuthHeaders(rng: Rng, fx: Fixtures): Header[] {
  return rng.weighted([
    [5, () => [basicAuth(`${rng.pick(['root', 'oauth2', fx.user.username, 'x', ''])}:${rng.pick([ROOT_TOKEN, ROOT_TOKEN, fx.user.token, fx.readOnly.token, fx.revokedToken])}`)]],
    [3, () => [rng.pick(badBasicHeaders(fx))]],
    [1, () => [['PRIVATE-TOKEN', ROOT_TOKEN]]],
    [2, () => []],
  ] as const)() as Header[];
}
