import fs from 'node:fs';
import path from 'node:path';
import type { ConfigFiles, PipelineContext } from '../../src/ci-config/index.js';

/** The corpus lives beside the sources (it is data), one folder per behaviour. */
export const CASES_DIR = path.resolve('test/ci-config/cases');

export interface CorpusCase {
  name: string;
  config: string;
  context: PipelineContext;
  /** Files of the commit other than the config (for include and exists), from the case's `files/` folder. */
  files: Record<string, string>;
  expected: ExpectedResult;
}

/**
 * `expected.json`: `{"status": "created", "stages"?: [...], "workflow"?: {...subset of WorkflowResult}, "jobs": [{"name", ...any subset of JobSpec}]}`
 * (jobs listed completely and in order, fields compared only where given), `{"status": "invalid", "errors": [...]}`
 * (exactly these messages) or `{"status": "filtered"}`.
 */
export type ExpectedResult =
  | { status: 'created'; stages?: string[]; workflow?: Record<string, unknown>; jobs: Array<Record<string, unknown>> }
  | { status: 'invalid'; errors: string[] }
  | { status: 'filtered' };

const BASE_CONTEXT: PipelineContext = {
  ref: 'main',
  tag: false,
  source: 'push',
  sha: '0123456789abcdef0123456789abcdef01234567',
  commitMessage: 'A commit',
  changedPaths: null,
  predefinedVariables: {},
  projectVariables: {},
  pipelineVariables: {},
};

/** Predefined variables derived from the context, so cases only state what differs. */
export function contextFrom(partial: Partial<PipelineContext>): PipelineContext {
  const ctx = { ...BASE_CONTEXT, ...partial };
  const predefined: Record<string, string> = {
    CI: 'true',
    GITLAB_CI: 'true',
    CI_COMMIT_REF_NAME: ctx.ref,
    CI_COMMIT_SHA: ctx.sha,
    CI_COMMIT_MESSAGE: ctx.commitMessage,
    CI_PIPELINE_SOURCE: ctx.source,
    CI_DEFAULT_BRANCH: 'main',
    CI_PROJECT_PATH: 'group/project',
    ...(ctx.tag ? { CI_COMMIT_TAG: ctx.ref } : { CI_COMMIT_BRANCH: ctx.ref }),
    ...(partial.predefinedVariables ?? {}),
  };
  return { ...ctx, predefinedVariables: predefined };
}

function readFiles(dir: string, prefix = ''): Record<string, string> {
  if (!fs.existsSync(dir)) return {};
  const out: Record<string, string> = {};
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) Object.assign(out, readFiles(path.join(dir, entry.name), rel));
    else out[rel] = fs.readFileSync(path.join(dir, entry.name), 'utf8');
  }
  return out;
}

export function loadCorpus(): CorpusCase[] {
  return fs
    .readdirSync(CASES_DIR, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => {
      const dir = path.join(CASES_DIR, d.name);
      const contextFile = path.join(dir, 'context.json');
      return {
        name: d.name,
        config: fs.readFileSync(path.join(dir, 'config.yml'), 'utf8'),
        context: contextFrom(fs.existsSync(contextFile) ? JSON.parse(fs.readFileSync(contextFile, 'utf8')) : {}),
        files: readFiles(path.join(dir, 'files')),
        expected: JSON.parse(fs.readFileSync(path.join(dir, 'expected.json'), 'utf8')) as ExpectedResult,
      };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}

export function filesOf(c: CorpusCase): ConfigFiles {
  const all = { '.gitlab-ci.yml': c.config, ...c.files };
  return { read: async (p) => all[p as keyof typeof all] ?? null, list: async () => Object.keys(all).sort() };
}
