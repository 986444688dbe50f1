import assert from 'node:assert/strict';
import type { TestServer } from './server.js';

/** What gitlab-runner's shell executor reports about itself (runner protocol §1 #9). */
export const RUNNER_INFO = {
  name: 'gitlab-runner',
  version: '17.5.0',
  revision: 'abcdef12',
  platform: 'linux',
  architecture: 'amd64',
  executor: 'shell',
  shell: 'bash',
  features: { variables: true, artifacts: true, upload_multiple_artifacts: true, refspecs: true, masking: true, cancelable: true, return_exit_code: true, trace_checksum: true },
};

/** Creates a runner through `POST /user/runners` as root and answers its `glrt-` token and id. */
export async function createRunner(t: TestServer, body: Record<string, unknown> = {}): Promise<{ id: number; token: string }> {
  const created = await t.api('POST', '/user/runners', { body: { runner_type: 'instance_type', ...body } });
  assert.equal(created.status, 201, created.text);
  return { id: created.body.id, token: created.body.token };
}

/** A runner-protocol call: JSON body, no personal token. */
export function runnerCall(t: TestServer, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  return t.api(method, path, { token: null, body, headers });
}

export function requestJob(t: TestServer, token: string, extra: Record<string, unknown> = {}) {
  return runnerCall(t, 'POST', '/jobs/request', { token, system_id: 's_0123456789ab', info: RUNNER_INFO, ...extra });
}

/** Sends a log patch the way gitlab-runner does (`Content-Range: start-end`, inclusive, no unit). */
export async function patchTrace(t: TestServer, jobId: number, jobToken: string, start: number, bytes: string | Buffer, headers: Record<string, string> = {}) {
  const body = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes);
  const response = await fetch(`${t.apiUrl}/jobs/${jobId}/trace`, {
    method: 'PATCH',
    headers: { 'JOB-TOKEN': jobToken, 'Content-Type': 'text/plain', 'Content-Range': `${start}-${start + body.length - 1}`, ...headers },
    body: new Uint8Array(body),
  });
  await response.arrayBuffer();
  return response;
}

export function updateJob(t: TestServer, jobId: number, jobToken: string, body: Record<string, unknown>) {
  return runnerCall(t, 'PUT', `/jobs/${jobId}`, { token: jobToken, ...body }, { 'JOB-TOKEN': jobToken });
}
