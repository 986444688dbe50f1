/** Conveyor's built-in runner: a standalone gitlab-runner-compatible client (imports nothing from the server). */
export { Runner } from './runner.js';
export type { RunnerOptions } from './options.js';
export { apiBaseUrl, generateSystemId } from './options.js';
export type { RunnerLogger } from './logger.js';
export { verifyRunner, type VerifiedRunner } from './verify.js';
export { RUNNER_NAME, RUNNER_VERSION } from './runner-info.js';
