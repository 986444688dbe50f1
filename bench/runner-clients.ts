/**
 * The runner benchmark's clients, run in a worker thread so that they take the machine's second core and
 * not the server's: on the 2-core box, clients in the server's thread halved what the server could do,
 * and real runners are other machines. Keep-alive node:http requests, as gitlab-runner keeps its
 * connections open.
 */
import http from 'node:http';
import { parentPort, workerData } from 'node:worker_threads';

export interface ClientsTask {
  kind: 'assign' | 'trace';
  apiUrl: string;
  clients: number;
  seconds: number;
  /** assign: the runner's token and info. */
  runnerToken?: string;
  runnerInfo?: unknown;
  /** trace: running jobs, one per client at a time, the rest for clients whose log is full. */
  jobs?: Array<{ id: number; token: string }>;
  chunkBytes?: number;
}

export interface ClientsResult {
  taken: Array<{ id: number; token: string }>;
  bytes: number;
  elapsedSeconds: number;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

function send(url: string, method: string, headers: Record<string, string>, body: Buffer): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const request = http.request(url, { method, agent, headers: { ...headers, 'content-length': String(body.length) } }, (response) => {
      const parts: Buffer[] = [];
      response.on('data', (part: Buffer) => parts.push(part));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(parts) }));
      response.on('error', reject);
    });
    request.on('error', reject);
    request.end(body);
  });
}

async function assign(task: ClientsTask, deadline: number, taken: ClientsResult['taken']): Promise<void> {
  await Promise.all(Array.from({ length: task.clients }, async (_, client) => {
    const body = Buffer.from(JSON.stringify({ token: task.runnerToken, system_id: `s_bench${client}`, info: task.runnerInfo }));
    while (Date.now() < deadline) {
      const answer = await send(`${task.apiUrl}/jobs/request`, 'POST', { 'content-type': 'application/json' }, body);
      if (answer.status !== 201) break;
      const job = JSON.parse(answer.body.toString()) as { id: number; token: string };
      taken.push({ id: job.id, token: job.token });
    }
  }));
}

/** GitLab's default log limit (100 MiB): a client whose job's log reaches it moves on to a fresh job. */
const LOG_LIMIT = 100 * 1024 * 1024;

async function trace(task: ClientsTask, deadline: number): Promise<number> {
  const chunk = Buffer.alloc(task.chunkBytes ?? 65536, 'x');
  const fresh = [...(task.jobs ?? [])];
  let bytes = 0;
  await Promise.all(Array.from({ length: Math.min(task.clients, fresh.length) }, async () => {
    let job = fresh.shift();
    let offset = 0;
    while (job && Date.now() < deadline) {
      if (offset + chunk.length > LOG_LIMIT) {
        job = fresh.shift();
        offset = 0;
        continue;
      }
      const headers = { 'job-token': job.token, 'content-type': 'text/plain', 'content-range': `${offset}-${offset + chunk.length - 1}` };
      const answer = await send(`${task.apiUrl}/jobs/${job.id}/trace`, 'PATCH', headers, chunk);
      if (answer.status !== 202) throw new Error(`trace patch answered ${answer.status}: ${answer.body.toString()}`);
      offset += chunk.length;
      bytes += chunk.length;
    }
  }));
  return bytes;
}

async function run(task: ClientsTask): Promise<ClientsResult> {
  const began = Date.now();
  const deadline = began + task.seconds * 1000;
  const taken: ClientsResult['taken'] = [];
  const bytes = task.kind === 'assign' ? (await assign(task, deadline, taken), 0) : await trace(task, deadline);
  agent.destroy();
  return { taken, bytes, elapsedSeconds: (Date.now() - began) / 1000 };
}

if (parentPort && workerData) {
  parentPort.postMessage(await run(workerData as ClientsTask));
}
