/** What a job that has not run carries: no runner, token, outcome or times (new jobs and retries start so). */
export const UNRUN_JOB = {
  runnerId: null,
  runnerManagerId: null,
  tokenDigest: null,
  failureReason: null,
  exitCode: null,
  coverage: null,
  retried: false,
  retryCount: 0,
  downstreamPipelineId: null,
  scheduledAt: null,
  queuedAt: null,
  startedAt: null,
  finishedAt: null,
  erasedAt: null,
  erasedById: null,
  debugTrace: false,
} as const;
