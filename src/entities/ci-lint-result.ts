import type { LintResult } from '../ci-config/lint.js';

/** API::Entities::Ci::Lint::Result; `jobs` only when the caller asked for them. */
export function ciLintResultEntity(result: LintResult, includeJobs: boolean) {
  return {
    valid: result.valid,
    errors: result.errors,
    warnings: result.warnings,
    merged_yaml: result.mergedYaml,
    includes: result.includes,
    ...(includeJobs ? { jobs: result.jobs } : {}),
  };
}
