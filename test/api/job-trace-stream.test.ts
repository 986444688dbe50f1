/** Live logs over Server-Sent Events (docs/api-extensions.md): in order, resumable, ended, and the runner told to hurry. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DIALECTS } from '../helpers/databases.js';
import { createProject } from '../helpers/fixtures.js';
import { pushPipeline } from '../helpers/pipelines.js';
import { createRunner, patchTrace, requestJob, updateJob } from '../helpers/runners.js';
import { ROOT_TOKEN, startTestServer, type TestServer } from '../helpers/server.js';

interface SseEvent {
  id?: string;
  event?: string;
  data: string;
}

/** Reads SSE events from a fetch response as they arrive. */
function eventReader(response: Response) {
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  const queue: SseEvent[] = [];
  next.cancel = () => reader.cancel();
  return next;
  async function next(timeoutMs = 5000): Promise<SseEvent | null> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const blank = buffer.indexOf('\n\n');
      if (blank !== -1) {
        const block = buffer.slice(0, blank);
        buffer = buffer.slice(blank + 2);
        const event: SseEvent = { data: '' };
        for (const line of block.split('\n')) {
          if (line.startsWith(':')) continue;
          const [field, ...rest] = line.split(': ');
          const value = rest.join(': ');
          if (field === 'id') event.id = value;
          else if (field === 'event') event.event = value;
          else if (field === 'data') event.data += value;
        }
        if (event.event || event.data) queue.push(event);
        if (queue.length > 0) return queue.shift()!;
        continue;
      }
      const left = deadline - Date.now();
      if (left <= 0) return null;
      const read = await Promise.race([reader.read(), new Promise<null>((r) => setTimeout(() => r(null), left))]);
      if (read === null) return null;
      if (read.done) return null;
      buffer += decoder.decode(read.value, { stream: true });
    }
  }
}

for (const dialect of DIALECTS) {
  describe(`GET /projects/:id/jobs/:job_id/trace/stream (${dialect})`, () => {
    let t: TestServer;
    before(async () => {
      t = await startTestServer(dialect);
    });
    after(() => t.close());

    async function runningJob() {
      const project = await createProject(t);
      await pushPipeline(t, project, { '.gitlab-ci.yml': 'build:\n  script: make\n' });
      const runner = await createRunner(t);
      const got = await requestJob(t, runner.token);
      assert.equal(got.status, 201);
      return { project, id: got.body.id as number, token: got.body.token as string };
    }

    const open = (projectId: number, jobId: number, headers: Record<string, string> = {}) =>
      fetch(`${t.apiUrl}/projects/${projectId}/jobs/${jobId}/trace/stream`, { headers: { 'PRIVATE-TOKEN': ROOT_TOKEN, ...headers } });

    it('sends stored bytes, then each patch as it arrives, then an end event; the runner is told to send every 3 s', async () => {
      const { project, id, token } = await runningJob();
      assert.equal((await patchTrace(t, id, token, 0, 'first\n')).headers.get('x-gitlab-trace-update-interval'), '30');
      const stream = await open(project.id, id);
      assert.equal(stream.status, 200);
      assert.match(stream.headers.get('content-type') ?? '', /^text\/event-stream/);
      const next = eventReader(stream);
      const first = await next();
      assert.equal(first?.event, 'log');
      assert.deepEqual(JSON.parse(first!.data), { offset: 0, content: 'first\n' });
      assert.equal(first?.id, '6');

      const patched = await patchTrace(t, id, token, 6, 'second \u001b[32mgreen\u001b[0m \u00e9\r\n');
      assert.equal(patched.headers.get('x-gitlab-trace-update-interval'), '3', 'someone watches');
      const second = await next();
      assert.deepEqual(JSON.parse(second!.data), { offset: 6, content: 'second \u001b[32mgreen\u001b[0m \u00e9\r\n' });

      await updateJob(t, id, token, { state: 'success' });
      const end = await next();
      assert.equal(end?.event, 'end');
      assert.deepEqual(JSON.parse(end!.data), { status: 'success' });
      assert.equal(await next(1000), null, 'the stream closes');
    });

    it('resumes from Last-Event-ID; a multi-byte character split across patches arrives whole', async () => {
      const { project, id, token } = await runningJob();
      const text = Buffer.from('abc \u00e9\u00e9 def\n');
      await patchTrace(t, id, token, 0, text.subarray(0, 5)); // ends inside the first é
      const stream = await open(project.id, id, { 'Last-Event-ID': '2' });
      const next = eventReader(stream);
      const first = await next();
      assert.deepEqual(JSON.parse(first!.data), { offset: 2, content: 'c ' });
      await patchTrace(t, id, token, 5, text.subarray(5));
      const second = await next();
      assert.deepEqual(JSON.parse(second!.data), { offset: 4, content: '\u00e9\u00e9 def\n' });
      await next.cancel();
      await updateJob(t, id, token, { state: 'success' });
    });

    it('a finished job streams its whole log and ends; bad offsets 400; anonymous 401; unknown job 404', async () => {
      const { project, id, token } = await runningJob();
      await patchTrace(t, id, token, 0, 'all of it\n');
      await updateJob(t, id, token, { state: 'success' });
      const next = eventReader(await open(project.id, id));
      assert.deepEqual(JSON.parse((await next())!.data), { offset: 0, content: 'all of it\n' });
      assert.equal((await next())?.event, 'end');
      assert.equal((await fetch(`${t.apiUrl}/projects/${project.id}/jobs/${id}/trace/stream?offset=-1`, { headers: { 'PRIVATE-TOKEN': ROOT_TOKEN } })).status, 400);
      assert.equal((await fetch(`${t.apiUrl}/projects/${project.id}/jobs/${id}/trace/stream`)).status, 401);
      assert.equal((await open(project.id, 999999)).status, 404);
    });
  });
}
