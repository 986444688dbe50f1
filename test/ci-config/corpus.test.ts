import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compilePipeline, type PlanResult } from '../../src/ci-config/index.js';
import { filesOf, loadCorpus, type ExpectedResult } from './corpus.js';

/** Compares a compile result with a case's expectation: exact errors, jobs in order, job fields where the case names them. */
export function assertMatches(result: PlanResult, expected: ExpectedResult, label: string): void {
  if (expected.status === 'invalid') {
    assert.equal(result.status, 'invalid', `${label}: expected errors, got ${JSON.stringify(result).slice(0, 500)}`);
    assert.deepEqual(result.status === 'invalid' ? result.errors : [], expected.errors, label);
    return;
  }
  if (expected.status === 'filtered') {
    assert.equal(result.status, 'filtered', `${label}: ${JSON.stringify(result).slice(0, 500)}`);
    return;
  }
  assert.equal(result.status, 'created', `${label}: ${JSON.stringify(result).slice(0, 500)}`);
  if (result.status !== 'created') return;
  if (expected.stages) assert.deepEqual(result.pipeline.stages, expected.stages, `${label}: stages`);
  const workflow = result.pipeline.workflow as unknown as Record<string, unknown>;
  for (const [key, value] of Object.entries(expected.workflow ?? {})) assert.deepEqual(workflow[key], value, `${label}: workflow.${key}`);
  assert.deepEqual(result.pipeline.jobs.map((j) => j.name), expected.jobs.map((j) => j.name), `${label}: job names`);
  expected.jobs.forEach((want, i) => {
    const got = result.pipeline.jobs[i] as unknown as Record<string, unknown>;
    for (const [key, value] of Object.entries(want)) assert.deepEqual(got[key], value, `${label}: ${String(want.name)}.${key}`);
  });
}

describe('ci-config corpus', () => {
  for (const c of loadCorpus()) {
    it(c.name, async () => {
      assertMatches(await compilePipeline(c.config, filesOf(c), c.context), c.expected, c.name);
    });
  }
});
