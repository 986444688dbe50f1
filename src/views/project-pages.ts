import type { Pipeline } from '../store/pipelines-repository.js';
import type { Project } from '../store/projects-repository.js';
import { breadcrumbs, emptyState, formatDuration, pager, secondsBetween, shortSha, statusBadge, timeAgo, type Crumb } from './components.js';
import { html, pathUrl, type Html } from './html.js';
import { page, type PageContext } from './layout.js';

export function projectUrl(project: Pick<Project, 'fullPath'>): string {
  return `/${pathUrl(project.fullPath)}`;
}

export function projectCrumbs(project: Pick<Project, 'fullPath' | 'name'>): Crumb[] {
  return [{ label: 'Projects', href: '/' }, { label: project.fullPath, href: projectUrl(project) }];
}

/** The tabs under a project's title. */
export function projectNav(project: Project, current: 'overview' | 'pipelines' | 'jobs'): Html {
  const base = projectUrl(project);
  const tab = (key: typeof current, href: string, label: string) =>
    html`<a href="${href}"${key === current ? html` aria-current="page" class="active"` : ''}>${label}</a>`;
  return html`<nav class="tabs" aria-label="Project">${tab('overview', base, 'Overview')}${tab('pipelines', `${base}/-/pipelines`, 'Pipelines')}${tab('jobs', `${base}/-/jobs`, 'Jobs')}</nav>`;
}

function visibilityBadge(visibility: string): Html {
  return html`<span class="badge" title="Visibility">${visibility}</span>`;
}

export function projectsListPage(pc: PageContext, options: { projects: Project[]; search: string; page: number; hasMore: boolean }): Html {
  const rows = options.projects.map((p) => html`<tr>
<td><a class="strong" href="${projectUrl(p)}">${p.fullPath}</a>${p.description ? html`<div class="muted small">${p.description}</div>` : ''}</td>
<td>${visibilityBadge(p.visibility)}</td>
<td>${timeAgo(p.lastActivityAt, pc.now)}</td></tr>`);
  return page(pc, {
    title: 'Projects',
    content: html`<div class="page-head"><h1>Projects</h1>
<form method="get" action="/" class="filters" role="search"><label for="search" class="sr-only">Search projects</label>
<input id="search" name="search" type="search" placeholder="Search projects" value="${options.search}"><button class="btn" type="submit">Search</button></form></div>
${options.projects.length === 0
  ? emptyState(pc.user ? 'No projects yet. Create one with the API and push a repository with a .gitlab-ci.yml.' : 'No public projects. Sign in to see more.')
  : html`<div class="table-wrap"><table class="list"><thead><tr><th scope="col">Project</th><th scope="col">Visibility</th><th scope="col">Last activity</th></tr></thead><tbody>${rows}</tbody></table></div>`}
${pager('/', { search: options.search }, options.page, options.hasMore)}`,
  });
}

/** A compact table of pipelines (project page and pipelines list). */
export function pipelinesTable(pc: PageContext, project: Project, pipelines: Pipeline[], users: Map<number, { username: string; name: string }>): Html {
  if (pipelines.length === 0) return emptyState('No pipelines yet.');
  const base = projectUrl(project);
  const rows = pipelines.map((p) => {
    const user = p.userId === null ? undefined : users.get(p.userId);
    return html`<tr>
<td>${statusBadge(p.status)}</td>
<td><a class="strong" href="${base}/-/pipelines/${p.id}">#${p.id}</a>${p.name ? html` <span>${p.name}</span>` : ''}<div class="muted small">${p.source}${p.yamlErrors ? html` · <span class="text-danger">yaml invalid</span>` : ''}</div></td>
<td><span class="ref" title="${p.tag ? 'Tag' : 'Branch'}">${p.ref}</span> <code class="sha">${shortSha(p.sha)}</code></td>
<td>${user ? user.username : html`<span class="muted">—</span>`}</td>
<td>${timeAgo(p.createdAt, pc.now)}</td>
<td>${formatDuration(secondsBetween(p.startedAt, p.finishedAt, pc.now))}</td></tr>`;
  });
  return html`<div class="table-wrap"><table class="list pipelines"><thead><tr><th scope="col">Status</th><th scope="col">Pipeline</th><th scope="col">Ref</th><th scope="col">Triggerer</th><th scope="col">Created</th><th scope="col">Duration</th></tr></thead><tbody>${rows}</tbody></table></div>`;
}

export function projectPage(pc: PageContext, options: { project: Project; cloneUrl: string; pipelines: Pipeline[]; users: Map<number, { username: string; name: string }>; canReadPipelines: boolean }): Html {
  const { project } = options;
  return page(pc, {
    title: project.fullPath,
    content: html`${breadcrumbs(projectCrumbs(project))}
<div class="page-head"><h1>${project.name}</h1>${visibilityBadge(project.visibility)}</div>
${projectNav(project, 'overview')}
${project.description ? html`<p>${project.description}</p>` : ''}
<section class="card"><h2>Clone</h2>
<label for="clone-url" class="small muted">HTTPS</label>
<div class="copy-row"><input id="clone-url" class="mono" readonly value="${options.cloneUrl}"><button type="button" class="btn" data-copy="#clone-url">Copy</button></div>
<p class="small muted">Default branch: ${project.defaultBranch ?? 'none yet'}</p></section>
${options.canReadPipelines ? html`<section><h2>Latest pipelines</h2>${pipelinesTable(pc, project, options.pipelines, options.users)}
<p><a href="${projectUrl(project)}/-/pipelines">All pipelines →</a></p></section>` : ''}`,
  });
}
