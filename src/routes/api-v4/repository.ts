import { Type } from 'typebox';
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { branchEntity, commitEntity, tagEntity } from '../../entities/commit.js';
import { perPage } from '../../http/pagination.js';
import { PathOrIdParams, Text } from '../../http/params.js';
import { getCommit, listBranches, listCommits, listTags, rawFile } from '../../services/repositories/repository-browse.js';

const RefParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 1024 }), sha: Type.String({ minLength: 1, maxLength: 1024 }) });
const FileParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 1024 }), file_path: Type.String({ minLength: 1, maxLength: 4096 }) });

/** The parts of GitLab's repository API clients use around CI: commits, branches, tags, raw files. */
export default async function repositoryRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const ctx = app.ctx;
  const rc = { externalUrl: ctx.externalUrl };
  const auth = { auth: 'optional' as const };

  app.get('/api/v4/projects/:id/repository/commits/:sha', { config: auth, schema: { params: RefParams } }, async (request) => {
    const { project, commit } = await getCommit(ctx, request.actor, request.params.id, request.params.sha);
    return commitEntity(commit, project.fullPath, rc);
  });

  app.get(
    '/api/v4/projects/:id/repository/commits',
    { config: auth, schema: { params: PathOrIdParams, querystring: Type.Object({ ref_name: Type.Optional(Text({ maxLength: 1024 })), page: Type.Optional(Type.String()), per_page: Type.Optional(Type.String()) }) } },
    async (request, reply) => {
      const query = request.query as Record<string, unknown>;
      const size = perPage(query);
      const page = Math.max(1, Math.min(Number.parseInt(String(query.page ?? '1'), 10) || 1, 100_000));
      const { project, commits, hasMore } = await listCommits(ctx, request.actor, request.params.id, request.query.ref_name, page, size);
      reply.header('X-Page', String(page)).header('X-Per-Page', String(size)).header('X-Next-Page', hasMore ? String(page + 1) : '').header('X-Prev-Page', page > 1 ? String(page - 1) : '');
      return commits.map((c) => commitEntity(c, project.fullPath, rc));
    },
  );

  app.get('/api/v4/projects/:id/repository/branches', { config: auth, schema: { params: PathOrIdParams } }, async (request) => {
    const { project, branches } = await listBranches(ctx, request.actor, request.params.id);
    return branches.map((b) => branchEntity(b, project.fullPath, rc));
  });

  app.get('/api/v4/projects/:id/repository/tags', { config: auth, schema: { params: PathOrIdParams } }, async (request) => {
    const { project, tags } = await listTags(ctx, request.actor, request.params.id);
    return tags.map((t) => tagEntity(t, project.fullPath, rc));
  });

  app.get(
    '/api/v4/projects/:id/repository/files/:file_path/raw',
    { config: auth, schema: { params: FileParams, querystring: Type.Object({ ref: Type.Optional(Text({ maxLength: 1024 })) }) } },
    async (request, reply) => {
      const content = await rawFile(ctx, request.actor, request.params.id, request.params.file_path, request.query.ref);
      return reply.type('text/plain; charset=utf-8').send(content);
    },
  );
}
