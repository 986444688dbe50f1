import type { Project } from '../store/projects-repository.js';
import { breadcrumbs, emptyState } from './components.js';
import { html, pathUrl, type Html } from './html.js';
import { page, type PageContext } from './layout.js';
import { projectCrumbs, projectUrl } from './project-pages.js';

export interface BrowseEntry {
  name: string;
  /** Path inside the archive (directories end without a slash). */
  path: string;
  directory: boolean;
  size: number;
}

function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

function crumbsFor(project: Project, jobId: number, dir: string) {
  const base = `${projectUrl(project)}/-/jobs/${jobId}`;
  const parts = dir === '' ? [] : dir.split('/');
  return breadcrumbs([
    ...projectCrumbs(project),
    { label: `#${jobId}`, href: base },
    { label: 'artifacts', href: `${base}/artifacts/browse` },
    ...parts.map((part, i) => ({ label: part, href: `${base}/artifacts/browse/${pathUrl(parts.slice(0, i + 1).join('/'))}` })),
  ]);
}

/** One folder of a job's artifacts archive. */
export function artifactsBrowsePage(pc: PageContext, options: { project: Project; jobId: number; jobName: string; dir: string; entries: BrowseEntry[] }): Html {
  const { project, jobId } = options;
  const base = `${projectUrl(project)}/-/jobs/${jobId}`;
  const api = `/api/v4/projects/${project.id}/jobs/${jobId}/artifacts`;
  const parent = options.dir.includes('/') ? options.dir.slice(0, options.dir.lastIndexOf('/')) : '';
  return page(pc, {
    title: `Artifacts of ${options.jobName} (#${jobId})`,
    content: html`${crumbsFor(project, jobId, options.dir)}
<div class="page-head"><h1>Artifacts of ${options.jobName} <span class="muted">#${jobId}</span></h1><div class="actions"><a class="btn" href="${api}" download>Download archive</a></div></div>
${options.entries.length === 0 ? emptyState('This folder is empty.') : html`<div class="table-wrap"><table class="list file-list"><thead><tr><th scope="col">Name</th><th scope="col">Size</th><th scope="col"><span class="sr-only">Download</span></th></tr></thead><tbody>
${options.dir !== '' ? html`<tr><td colspan="3"><a href="${base}/artifacts/browse${parent ? `/${pathUrl(parent)}` : ''}"><span class="icon" aria-hidden="true">↰</span>..</a></td></tr>` : ''}
${options.entries.map((e) => e.directory
  ? html`<tr><td><a href="${base}/artifacts/browse/${pathUrl(e.path)}"><span class="icon" aria-hidden="true">▸</span>${e.name}/</a></td><td class="muted">folder</td><td></td></tr>`
  : html`<tr><td><a href="${base}/artifacts/file/${pathUrl(e.path)}"><span class="icon" aria-hidden="true">·</span>${e.name}</a></td><td>${formatSize(e.size)}</td><td><a href="${api}/${pathUrl(e.path)}" download aria-label="Download ${e.name}">Download</a></td></tr>`)}
</tbody></table></div>`}`,
  });
}

/** A text file of the archive shown inside the page (escaped), or a note that it is binary. */
export function artifactFilePage(pc: PageContext, options: { project: Project; jobId: number; path: string; text: string | null; truncated: boolean; size: number }): Html {
  const { project, jobId } = options;
  const api = `/api/v4/projects/${project.id}/jobs/${jobId}/artifacts/${pathUrl(options.path)}`;
  const dir = options.path.includes('/') ? options.path.slice(0, options.path.lastIndexOf('/')) : '';
  return page(pc, {
    title: options.path,
    content: html`${crumbsFor(project, jobId, dir)}
<div class="page-head"><h1 class="mono">${options.path.split('/').pop()}</h1><div class="actions"><a class="btn" href="${api}" download>Download (${formatSize(options.size)})</a></div></div>
${options.text === null ? emptyState('This file is not text. Download it to open it.') : html`${options.truncated ? html`<p class="muted small">Showing the first 512 KiB.</p>` : ''}<pre class="file" id="artifact-file">${options.text}</pre>`}`,
  });
}
