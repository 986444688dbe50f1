import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { compilePipeline, type PlanResult } from '../../src/ci-config/index.js';
import { contextFrom, filesOf, loadCorpus } from './corpus.js';

const ctx = contextFrom({});
const noFiles = { read: async () => null, list: async () => [] };
const SEED = Number(process.env.CONVEYOR_PROPERTY_SEED ?? 20261122);

const KEYWORDS = [
  'script', 'stage', 'image', 'services', 'tags', 'variables', 'when', 'start_in', 'allow_failure', 'needs', 'dependencies',
  'artifacts', 'cache', 'retry', 'timeout', 'rules', 'only', 'except', 'parallel', 'trigger', 'environment', 'coverage',
  'extends', 'inherit', 'interruptible', 'resource_group', 'before_script', 'after_script', 'include', 'default', 'workflow', 'stages',
];

/** A result is one of the three outcomes, with string errors when invalid; nothing else, and never a throw. */
function assertOutcome(result: PlanResult): void {
  assert.ok(['created', 'filtered', 'invalid'].includes(result.status), JSON.stringify(result).slice(0, 300));
  if (result.status === 'invalid') {
    assert.ok(result.errors.length > 0);
    for (const e of result.errors) assert.equal(typeof e, 'string');
  }
}

const scalar = fc.oneof(fc.string({ maxLength: 12 }), fc.integer(), fc.boolean(), fc.constant(null), fc.constantFrom('on_success', 'manual', 'delayed', 'never', '$CI_COMMIT_BRANCH == "main"', '1 week', '/x/'));
const value = fc.letrec((tie) => ({
  any: fc.oneof({ depthSize: 'small' }, scalar, fc.array(tie('any'), { maxLength: 4 }), fc.dictionary(fc.constantFrom(...KEYWORDS, 'job', 'x', 'key', 'if', 'paths', 'name', 'matrix'), tie('any'), { maxKeys: 4 })),
})).any;
const jobLike = fc.dictionary(fc.constantFrom(...KEYWORDS), value, { maxKeys: 6 });
const configLike = fc.dictionary(fc.oneof(fc.constantFrom(...KEYWORDS), fc.string({ minLength: 1, maxLength: 8 })), fc.oneof(jobLike, value), { maxKeys: 6 });

/** Random edits of real configs: what a user's half-finished file looks like. */
const mutation = fc.oneof(
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 20 }) }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), text: fc.oneof(fc.string({ maxLength: 10 }), fc.constantFrom(':', '- ', '  ', '\n', '*a', '&a ', '!reference [a]', '<<: *x', '{', ']', '"', "'", '#')) }),
  fc.record({ kind: fc.constant('duplicate-line' as const), at: fc.nat() }),
);

function mutate(text: string, edits: Array<{ kind: string; at: number; length?: number; text?: string }>): string {
  let out = text;
  for (const edit of edits) {
    const at = out.length === 0 ? 0 : edit.at % out.length;
    if (edit.kind === 'delete') out = out.slice(0, at) + out.slice(at + (edit.length ?? 1));
    else if (edit.kind === 'insert') out = out.slice(0, at) + edit.text + out.slice(at);
    else {
      const lines = out.split('\n');
      const line = at % Math.max(1, lines.length);
      lines.splice(line, 0, lines[line] ?? '');
      out = lines.join('\n');
    }
  }
  return out;
}

describe('ci-config never crashes (property-based)', () => {
  it('compiles arbitrary text to a result', async () => {
    await fc.assert(fc.asyncProperty(fc.string({ maxLength: 300 }), async (text) => assertOutcome(await compilePipeline(text, noFiles, ctx))), { numRuns: 300, seed: SEED });
  });

  it('compiles random keyword soups to a result', async () => {
    await fc.assert(
      fc.asyncProperty(configLike, async (config) => assertOutcome(await compilePipeline(stringify(config), noFiles, ctx))),
      { numRuns: 400, seed: SEED },
    );
  });

  it('compiles random mutations of the corpus to a result', async () => {
    const corpus = loadCorpus();
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: corpus.length - 1 }), fc.array(mutation, { minLength: 1, maxLength: 4 }), async (index, edits) => {
        const c = corpus[index];
        assertOutcome(await compilePipeline(mutate(c.config, edits), filesOf(c), c.context));
      }),
      { numRuns: 500, seed: SEED },
    );
  });
});
