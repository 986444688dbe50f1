/** Reasons the runner may always send: GitLab has known them for ever. */
const ALWAYS_SUPPORTED = ['script_failure', 'runner_system_failure', 'job_execution_timeout'];

const FALLBACKS: Record<string, string> = {
  image_pull_failure: 'runner_system_failure',
  runner_configuration_error: 'script_failure',
  runner_external_dependency_failure: 'runner_system_failure',
};

/**
 * gitlab-runner's mapping of an internal failure reason onto what this server says it accepts
 * (`features.failure_reasons`); a cancel (`job_canceled`) therefore goes out as `unknown_failure`.
 */
export function reportedFailureReason(reason: string, supported: string[] | null | undefined): string {
  const accepted = (r: string) => ALWAYS_SUPPORTED.includes(r) || (supported ?? []).includes(r);
  if (accepted(reason)) return reason;
  const fallback = FALLBACKS[reason];
  if (fallback && accepted(fallback)) return fallback;
  return 'unknown_failure';
}
