import { ApiClient, parseJson } from './api-client.js';
import { apiBaseUrl } from './options.js';
import { runnerInfo } from './runner-info.js';

export interface VerifiedRunner {
  id: number;
  token: string;
  token_expires_at: string | null;
}

/** `gitlab-runner register --token glrt-…`: POST /runners/verify must answer 200 with a non-zero id. */
export async function verifyRunner(url: string, token: string, systemId: string): Promise<VerifiedRunner> {
  const api = new ApiClient(apiBaseUrl(url));
  const response = await api.request('POST', 'runners/verify', { json: { token, system_id: systemId, info: runnerInfo() }, timeoutMs: 60_000 });
  if (response.status === 403) throw new Error('the server refused the token (403): check the runner token');
  if (response.status !== 200) throw new Error(`runner verification failed: HTTP ${response.status} ${response.text.slice(0, 200)}`);
  const body = parseJson<VerifiedRunner>(response);
  if (!body || typeof body.id !== 'number' || body.id === 0) throw new Error('runner verification failed: the server did not return a runner id');
  return body;
}
