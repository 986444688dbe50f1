import type { CommitInfo } from '../entities/commit.js';
import type { JobView } from '../entities/job.js';
import type { Pipeline } from '../store/pipelines-repository.js';
import type { Project } from '../store/projects-repository.js';
import { actionForm, breadcrumbs, formatDuration, pager, secondsBetween, shortSha, statusBadge, statusIcon, timeAgo } from './components.js';
import { html, type Html } from './html.js';
import { page, type PageContext } from './layout.js';
import { pipelinesTable, projectCrumbs, projectNav, projectUrl } from './project-pages.js';

export const PIPELINE_FILTER_STATUSES = ['running', 'pending', 'success', 'failed', 'canceled', 'skipped', 'manual', 'created', 'scheduled'];

export interface JobButtons {
  cancel: boolean;
  retry: boolean;
  play: boolean;
}

export function pipelinesListPage(pc: PageContext, options: { project: Project; pipelines: Pipeline[]; users: Map<number, { username: string; name: string }>; status: string; ref: string; page: number; hasMore: boolean }): Html {
  const { project } = options;
  const base = `${projectUrl(project)}/-/pipelines`;
  return page(pc, {
    title: `Pipelines · ${project.fullPath}`,
    scripts: ['live-refresh.js'],
    content: html`${breadcrumbs([...projectCrumbs(project), { label: 'Pipelines' }])}
<div class="page-head"><h1>Pipelines</h1></div>
${projectNav(project, 'pipelines')}
<form method="get" action="${base}" class="filters" aria-label="Filter pipelines">
<label>Status <select name="status"><option value="">Any</option>${PIPELINE_FILTER_STATUSES.map((s) => html`<option value="${s}"${s === options.status ? ' selected' : ''}>${s}</option>`)}</select></label>
<label>Branch or tag <input name="ref" type="text" value="${options.ref}" placeholder="main"></label>
<button class="btn" type="submit">Filter</button>${options.status || options.ref ? html` <a href="${base}">Clear</a>` : ''}</form>
<div id="live-region" data-live="${options.pipelines.some((p) => isActive(p.status)) ? 'on' : 'off'}">${pipelinesTable(pc, project, options.pipelines, options.users)}</div>
${pager(base, { status: options.status, ref: options.ref }, options.page, options.hasMore)}`,
  });
}

function isActive(status: string): boolean {
  return ['created', 'waiting_for_resource', 'preparing', 'pending', 'running', 'canceling'].includes(status);
}

export interface PipelinePageData {
  project: Project;
  pipeline: Pipeline;
  user: { username: string; name: string } | null;
  commit: CommitInfo | null;
  jobs: JobView[];
  actions: { cancel: boolean; retry: boolean };
  jobButtons: Map<number, JobButtons>;
  /** Bridges' downstream pipelines (job id → page URL), where the caller may see them. */
  downstreamUrls: Map<number, string>;
  upstreamUrl: string | null;
}

function jobCard(pc: PageContext, base: string, view: JobView, data: PipelinePageData): Html {
  const { job } = view;
  const needs = job.spec.needs ?? [];
  const buttons = data.jobButtons.get(job.id);
  const downstream = data.downstreamUrls.get(job.id);
  const jobLink = job.type === 'bridge'
    ? html`<span class="job-name">${job.name}</span>`
    : html`<a class="job-name" href="${base}/-/jobs/${job.id}">${job.name}</a>`;
  const csrf = pc.csrfToken ?? '';
  const action = (verb: 'play' | 'retry' | 'cancel', label: string) =>
    actionForm(`${base}/-/jobs/${job.id}/${verb}`, csrf, html`<span aria-hidden="true">${label === 'Play' ? '▶' : label === 'Retry' ? '↻' : '✕'}</span><span class="sr-only">${label} ${job.name}</span>`, { className: 'btn-icon', title: `${label} ${job.name}` });
  return html`<li class="job-card status-border-${job.status === 'failed' && job.allowFailure ? 'warning' : job.status}" data-job="${job.name}">
<div class="job-line">${statusIcon(job.status === 'failed' && job.allowFailure ? 'warning' : job.status)}<span class="sr-only">${job.status}</span>${jobLink}
<span class="job-actions">${buttons?.play ? action('play', 'Play') : ''}${buttons?.retry ? action('retry', 'Retry') : ''}${buttons?.cancel ? action('cancel', 'Cancel') : ''}</span></div>
${needs.length > 0 ? html`<div class="needs small muted">needs: ${needs.map((n, i) => html`${i > 0 ? ', ' : ''}<span class="need">${n.name}</span>`)}</div>` : ''}
${job.type === 'bridge' ? html`<div class="small">${downstream ? html`<a href="${downstream}" class="downstream">→ downstream pipeline #${view.downstream?.id ?? ''}</a>` : html`<span class="muted">trigger</span>`}</div>` : ''}
${job.type === 'build' && (job.startedAt || job.status === 'running') ? html`<div class="small muted">${formatDuration(secondsBetween(job.startedAt, job.finishedAt, pc.now))}</div>` : ''}
</li>`;
}

export function pipelinePage(pc: PageContext, data: PipelinePageData): Html {
  const { project, pipeline } = data;
  const base = projectUrl(project);
  const stages = new Map<string, { idx: number; jobs: JobView[] }>();
  for (const view of [...data.jobs].sort((a, b) => a.job.stageIdx - b.job.stageIdx || a.job.name.localeCompare(b.job.name))) {
    const stage = stages.get(view.job.stage) ?? { idx: view.job.stageIdx, jobs: [] };
    stage.jobs.push(view);
    stages.set(view.job.stage, stage);
  }
  const csrf = pc.csrfToken ?? '';
  const pipelineUrl = `${base}/-/pipelines/${pipeline.id}`;
  const hasNeeds = data.jobs.some((v) => (v.job.spec.needs ?? []).length > 0);
  return page(pc, {
    title: `Pipeline #${pipeline.id} · ${project.fullPath}`,
    scripts: ['live-refresh.js'],
    wide: true,
    content: html`${breadcrumbs([...projectCrumbs(project), { label: 'Pipelines', href: `${base}/-/pipelines` }, { label: `#${pipeline.id}` }])}
<div id="live-region" data-live="${isActive(pipeline.status) ? 'on' : 'off'}">
<div class="page-head">
<h1>${statusBadge(pipeline.status, { id: 'pipeline-status' })} Pipeline #${pipeline.id}${pipeline.name ? html` <span class="muted">${pipeline.name}</span>` : ''}</h1>
<div class="actions">
${data.actions.retry ? actionForm(`${pipelineUrl}/retry`, csrf, 'Retry failed jobs', { className: 'btn-primary' }) : ''}
${data.actions.cancel ? actionForm(`${pipelineUrl}/cancel`, csrf, 'Cancel pipeline', { className: 'btn-danger', confirm: 'Cancel this pipeline?' }) : ''}
</div></div>
<p class="meta">
${data.commit ? html`<span class="strong">${data.commit.title}</span><br>` : ''}
<span class="ref">${pipeline.ref}</span> <code class="sha" title="${pipeline.sha}">${shortSha(pipeline.sha)}</code>
· triggered ${timeAgo(pipeline.createdAt, pc.now)}${data.user ? html` by <span class="strong">${data.user.username}</span>` : ''} · ${pipeline.source}
${pipeline.startedAt ? html` · duration ${formatDuration(secondsBetween(pipeline.startedAt, pipeline.finishedAt, pc.now))}` : ''}
${data.upstreamUrl ? html` · <a href="${data.upstreamUrl}">upstream pipeline</a>` : ''}
</p>
${pipeline.yamlErrors ? html`<div class="flash flash-alert" role="alert"><strong>This pipeline's configuration is invalid:</strong> ${pipeline.yamlErrors}</div>` : ''}
${hasNeeds ? html`<p class="small muted">Jobs with <em>needs</em> start as soon as the jobs they need finish, regardless of stage.</p>` : ''}
<div class="stages" role="list" aria-label="Stages">
${[...stages.entries()].map(([name, stage]) => html`<section class="stage" role="listitem" aria-label="Stage ${name}"><h2 class="stage-name">${name}</h2><ul class="stage-jobs">${stage.jobs.map((v) => jobCard(pc, base, v, data))}</ul></section>`)}
${stages.size === 0 ? html`<p class="empty">This pipeline has no jobs.</p>` : ''}
</div></div>`,
  });
}
