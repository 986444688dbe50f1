import { Type } from 'typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { jobEntity } from '../../entities/job.js';
import { badRequest, invalidParam, routeNotFound } from '../../errors/api-error.js';
import { contentTypeOf, isInlineSafe } from '../../http/content-types.js';
import { BooleanParam, IdInteger, PathOrIdParams } from '../../http/params.js';
import { attachmentDisposition, sendRangedStream } from '../../http/send-ranged-stream.js';
import { openEntry } from '../../services/artifacts/archive-index.js';
import { archiveByJob, archiveByRef, fileByJob, fileByRef, type ArchiveDownload, type FileDownload } from '../../services/artifacts/artifact-downloads.js';
import { deleteJobArtifacts, deleteProjectArtifacts, keepArtifacts } from '../../services/artifacts/artifact-management.js';
import { jobViews } from '../../services/jobs/job-views.js';

const JobParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 1024 }), job_id: IdInteger() });
const JobFileParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 1024 }), job_id: IdInteger(), '*': Type.String() });
const TokenQuery = Type.Object({ job_token: Type.Optional(Type.String({ maxLength: 1024 })) });
const RefQuery = Type.Object({
  job: Type.Optional(Type.String({ maxLength: 1024 })),
  job_token: Type.Optional(Type.String({ maxLength: 1024 })),
  search_recent_successful_pipelines: Type.Optional(BooleanParam()),
});

/** The undecoded rest of the URL after `/jobs/artifacts/`, so `%2F` in a ref and raw slashes can be told apart. */
function rawRest(request: FastifyRequest): string {
  const url = request.raw.url ?? '';
  const pathOnly = url.split('?')[0];
  const afterProjects = pathOnly.indexOf('/projects/') + '/projects/'.length;
  const marker = pathOnly.indexOf('/jobs/artifacts/', pathOnly.indexOf('/', afterProjects));
  return pathOnly.slice(marker + '/jobs/artifacts/'.length);
}

function decodeRef(raw: string): string {
  let ref: string;
  try {
    ref = decodeURIComponent(raw);
  } catch {
    throw badRequest();
  }
  if (ref === '' || ref.includes('\u0000')) throw badRequest();
  return ref;
}

function sendArchive(request: FastifyRequest, reply: FastifyReply, download: ArchiveDownload) {
  const { archive } = download;
  reply
    .type('application/octet-stream')
    .header('Content-Disposition', attachmentDisposition(archive.filename))
    .header('Content-Transfer-Encoding', 'binary');
  return sendRangedStream(request, reply, archive.size ?? 0, (start, end) => request.server.ctx.blobs.stream(archive.blobKey!, start, end));
}

/**
 * One file out of the archive: its type from the extension, never sniffed (`nosniff`), a sandboxing CSP,
 * and a download unless `inline` is asked for and the type is safe to show (never HTML or SVG).
 */
async function sendFile(request: FastifyRequest, reply: FastifyReply, download: FileDownload, detect: boolean) {
  const { entry, archive } = download;
  const basename = entry.name.split('/').pop() || entry.name;
  const type = contentTypeOf(basename);
  const inline = detect && isInlineSafe(type);
  const stream = await openEntry(request.server.ctx, archive.blobKey!, entry);
  return reply
    .type(type)
    .header('Content-Length', String(entry.size))
    .header('Content-Disposition', attachmentDisposition(basename, { inline, extended: /[^\u0020-\u007e]/.test(basename) }))
    .header('X-Content-Type-Options', 'nosniff')
    .header('Content-Security-Policy', "default-src 'none'; sandbox")
    .send(stream);
}

/** E12–E18 of the behaviour notes: artifact downloads (job tokens allowed), keep, delete. */
export default async function jobArtifactRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const ctx = app.ctx;
  const rc = { externalUrl: ctx.externalUrl };
  const downloads = { jobToken: true };
  const required = { auth: 'required' as const };

  app.get('/api/v4/projects/:id/jobs/:job_id/artifacts', { config: downloads, schema: { params: JobParams, querystring: TokenQuery } }, async (request, reply) =>
    sendArchive(request, reply, await archiveByJob(ctx, request.actor, request.params.id, request.params.job_id)),
  );

  app.get('/api/v4/projects/:id/jobs/:job_id/artifacts/*', { config: downloads, schema: { params: JobFileParams, querystring: TokenQuery } }, async (request, reply) => {
    const url = (request.raw.url ?? '').split('?')[0];
    const rawPath = url.slice(url.indexOf('/artifacts/', url.indexOf('/jobs/')) + '/artifacts/'.length);
    return sendFile(request, reply, await fileByJob(ctx, request.actor, request.params.id, request.params.job_id, rawPath), false);
  });

  // `:ref_name` may hold slashes, raw or as %2F: the undecoded URL is split at `/download` or `/raw/`.
  app.get('/api/v4/projects/:id/jobs/artifacts/*', { config: downloads, schema: { params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 1024 }), '*': Type.String() }), querystring: RefQuery } }, async (request, reply) => {
    const rest = rawRest(request);
    const searchRecent = request.query.search_recent_successful_pipelines === true;
    const download = /\/download\/?$/.exec(rest);
    const rawAt = rest.indexOf('/raw/');
    if (!download && rawAt <= 0) throw routeNotFound();
    if (request.query.job === undefined) throw invalidParam('job', 'is missing');
    const jobName = request.query.job;
    if (download && (rawAt <= 0 || rawAt > download.index)) {
      const ref = decodeRef(rest.slice(0, download.index));
      return sendArchive(request, reply, await archiveByRef(ctx, request.actor, request.params.id, ref, jobName, searchRecent));
    }
    // A ref may itself contain `/raw/` (raw slashes): the first split whose ref has the job wins.
    let position = rawAt;
    for (;;) {
      const next = rest.indexOf('/raw/', position + 1);
      try {
        const ref = decodeRef(rest.slice(0, position));
        return await sendFile(request, reply, await fileByRef(ctx, request.actor, request.params.id, ref, jobName, rest.slice(position + 5), searchRecent), true);
      } catch (error) {
        if (next < 0 || (error as { status?: number }).status !== 404) throw error;
        position = next;
      }
    }
  });

  app.post('/api/v4/projects/:id/jobs/:job_id/artifacts/keep', { config: required, schema: { params: JobParams } }, async (request, reply) => {
    const { project, job } = await keepArtifacts(ctx, request.actor, request.params.id, request.params.job_id);
    const [view] = await jobViews(ctx, project, [(await ctx.store.jobs.findById(job.id)) ?? job], [request.actor.user]);
    return reply.code(200).send(jobEntity(view, rc, ctx.clock.now()));
  });

  app.delete('/api/v4/projects/:id/jobs/:job_id/artifacts', { config: required, schema: { params: JobParams } }, async (request, reply) => {
    await deleteJobArtifacts(ctx, request.actor, request.params.id, request.params.job_id);
    return reply.code(204).send();
  });

  app.delete('/api/v4/projects/:id/artifacts', { config: required, schema: { params: PathOrIdParams } }, async (request, reply) => {
    await deleteProjectArtifacts(ctx, request.actor, request.params.id, (error) => request.log.error({ err: error }, 'deleting project artifacts failed'));
    return reply.code(202).send({ message: '202 Accepted' });
  });
}
