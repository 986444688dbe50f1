import type { FastifyReply, FastifyRequest } from 'fastify';
import { routeNotFound } from '../../errors/api-error.js';
import { archiveEntries, openEntry } from '../../services/artifacts/archive-index.js';
import { archiveByJob, fileByJob } from '../../services/artifacts/artifact-downloads.js';
import { keepArtifacts } from '../../services/artifacts/artifact-management.js';
import { artifactFilePage, artifactsBrowsePage, type BrowseEntry } from '../../views/artifacts-page.js';
import { pathUrl } from '../../views/html.js';
import type { AssetUrls } from './assets.js';
import { pageContext, sendHtml, verifyCsrf } from './web-context.js';

const SHOWN_BYTES = 512 * 1024;

/** `…/-/jobs/:id/artifacts/browse[/<folder>]`: the folders and files of the job's archive. */
export async function browseArtifacts(request: FastifyRequest, reply: FastifyReply, assets: AssetUrls, fullPath: string, jobId: number, rawDir: string) {
  const ctx = request.server.ctx;
  const { project, job, archive } = await archiveByJob(ctx, request.actor, fullPath, jobId);
  const dir = rawDir.replace(/^\/+|\/+$/g, '');
  const prefix = dir === '' ? '' : `${dir}/`;
  const children = new Map<string, BrowseEntry>();
  for (const entry of await archiveEntries(ctx, archive.blobKey!)) {
    if (entry.nameHasNul || !entry.name.startsWith(prefix)) continue;
    const rest = entry.name.slice(prefix.length).replace(/\/+$/, '');
    if (rest === '') continue;
    const slash = rest.indexOf('/');
    const name = slash === -1 ? rest : rest.slice(0, slash);
    const directory = slash !== -1 || entry.isDirectory;
    if (!children.has(name) || directory) children.set(name, { name, path: prefix + name, directory, size: directory ? 0 : entry.size });
  }
  if (dir !== '' && children.size === 0) throw routeNotFound();
  const entries = [...children.values()].sort((a, b) => Number(b.directory) - Number(a.directory) || a.name.localeCompare(b.name));
  return sendHtml(reply, artifactsBrowsePage(pageContext(request, assets), { project, jobId: job.id, jobName: job.name, dir, entries }));
}

/**
 * `…/-/jobs/:id/artifacts/file/<path>`: a text file shown inside the page, escaped like everything else;
 * anything else (and HTML, which is text too) only as a download from the API, which serves it sandboxed.
 */
export async function showArtifactFile(request: FastifyRequest, reply: FastifyReply, assets: AssetUrls, fullPath: string, jobId: number, rawPath: string) {
  const ctx = request.server.ctx;
  const { project, job, archive, entry } = await fileByJob(ctx, request.actor, fullPath, jobId, rawPath.split('/').map(encodeURIComponent).join('/'));
  const stream = await openEntry(ctx, archive.blobKey!, entry);
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of stream) {
    chunks.push(chunk as Buffer);
    length += (chunk as Buffer).length;
    if (length >= SHOWN_BYTES) break;
  }
  stream.destroy();
  const bytes = Buffer.concat(chunks).subarray(0, SHOWN_BYTES);
  let text: string | null = null;
  if (!bytes.includes(0)) {
    try {
      text = new TextDecoder('utf-8', { fatal: length <= SHOWN_BYTES }).decode(bytes);
    } catch {
      text = null;
    }
  }
  return sendHtml(reply, artifactFilePage(pageContext(request, assets), { project, jobId: job.id, path: entry.name, text, truncated: entry.size > SHOWN_BYTES, size: entry.size }));
}

export async function keepJobArtifacts(request: FastifyRequest, reply: FastifyReply, fullPath: string, jobId: number) {
  verifyCsrf(request);
  await keepArtifacts(request.server.ctx, request.actor, fullPath, jobId);
  return reply.redirect(`/${pathUrl(fullPath)}/-/jobs/${jobId}`, 303);
}
