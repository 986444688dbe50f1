import multipart from '@fastify/multipart';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { ApiError, forbidden, invalidParam, notFound } from '../../errors/api-error.js';
import { IdInteger } from '../../http/params.js';
import { attachmentDisposition, sendRangedStream } from '../../http/send-ranged-stream.js';
import { checkUpload, storeArtifact, tooLarge } from '../../services/artifacts/artifact-upload.js';
import { archiveForRunner } from '../../services/artifacts/runner-artifact-download.js';
import { authenticateRunnerJob } from '../../services/runners/runner-job-updates.js';

const JobParams = Type.Object({ id: IdInteger() });
const UploadQuery = Type.Object({
  token: Type.Optional(Type.String({ maxLength: 1024 })),
  artifact_type: Type.Optional(Type.String({ maxLength: 64 })),
  artifact_format: Type.Optional(Type.String({ maxLength: 16 })),
  expire_in: Type.Optional(Type.String({ maxLength: 255 })),
  accessibility: Type.Optional(Type.String({ maxLength: 16 })),
});
const DownloadQuery = Type.Object({ token: Type.Optional(Type.String({ maxLength: 1024 })), direct_download: Type.Optional(Type.Unknown()) });

function jobToken(request: FastifyRequest, queryToken?: string): string | undefined {
  const header = request.headers['job-token'];
  return typeof header === 'string' && header !== '' ? header : queryToken;
}

/** `POST /jobs/:id/artifacts` (upload) and `GET /jobs/:id/artifacts` (a dependency's archive), runner protocol §4. */
export default async function runnerArtifactRoutes(fastify: FastifyInstance) {
  const ctx = fastify.ctx;

  // Multipart bodies are parsed only here, as a stream: the archive never sits in memory.
  await fastify.register(async (scope) => {
    await scope.register(multipart, { limits: { fields: 20, fieldSize: 64 * 1024, files: 1, parts: 30, headerPairs: 100 } });
    scope.withTypeProvider<TypeBoxTypeProvider>().post(
      '/api/v4/jobs/:id/artifacts',
      { schema: { params: JobParams, querystring: UploadQuery } },
      async (request, reply) => {
        const access = await authenticateRunnerJob(ctx, request.params.id, jobToken(request, request.query.token));
        if (access.status === 'not-found') throw notFound();
        if (access.status === 'forbidden') {
          if (access.jobStatus) reply.header('Job-Status', access.jobStatus);
          throw forbidden();
        }
        const q = request.query;
        const upload = await checkUpload(ctx, access.job, { artifactType: q.artifact_type, artifactFormat: q.artifact_format, expireIn: q.expire_in, accessibility: q.accessibility });
        // A declared length over the limit is refused before a byte is read.
        const declared = Number(request.headers['content-length']);
        if (Number.isFinite(declared) && declared > upload.maxBytes + 64 * 1024) throw tooLarge();
        if (!request.isMultipart()) throw invalidParam('file', 'is missing');
        const file = await request.file({ limits: { fileSize: Number.MAX_SAFE_INTEGER } });
        if (!file || file.fieldname !== 'file') {
          file?.file.resume();
          throw invalidParam('file', 'is missing');
        }
        try {
          await storeArtifact(ctx, access.job, upload, file.file, file.filename);
        } catch (error) {
          // The rest of an oversized body is read and dropped, so the runner sees the 413 rather than a reset.
          file.file.resume();
          if (error instanceof ApiError) throw error;
          if (request.raw.destroyed || request.raw.readableAborted) throw new ApiError(400, { message: '400 Bad request - upload interrupted' });
          throw invalidParam('file', 'is invalid');
        }
        return reply.code(201).type('text/plain').send('201');
      },
    );
  });

  fastify.withTypeProvider<TypeBoxTypeProvider>().get(
    '/api/v4/jobs/:id/artifacts',
    { schema: { params: JobParams, querystring: DownloadQuery } },
    async (request, reply) => {
      const archive = await archiveForRunner(ctx, request.params.id, jobToken(request, request.query.token));
      reply
        .type('application/octet-stream')
        .header('Content-Disposition', attachmentDisposition(archive.filename))
        .header('Content-Transfer-Encoding', 'binary');
      return sendRangedStream(request, reply, archive.size ?? 0, (start, end) => ctx.blobs.stream(archive.blobKey!, start, end));
    },
  );
}
