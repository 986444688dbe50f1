import type { JobView } from '../entities/job.js';
import type { Job } from '../store/jobs-repository.js';
import type { Project } from '../store/projects-repository.js';
import { actionForm, breadcrumbs, csrfField, emptyState, formatDuration, pager, secondsBetween, shortSha, statusBadge, timeAgo } from './components.js';
import { html, type Html } from './html.js';
import { page, type PageContext } from './layout.js';
import { projectCrumbs, projectNav, projectUrl } from './project-pages.js';

export const JOB_FILTER_STATUSES = ['created', 'pending', 'running', 'success', 'failed', 'canceled', 'skipped', 'manual', 'scheduled'];

export function jobsListPage(pc: PageContext, options: { project: Project; jobs: JobView[]; filters: { status: string; name: string; ref: string }; page: number; hasMore: boolean }): Html {
  const { project, filters } = options;
  const base = projectUrl(project);
  const rows = options.jobs.map(({ job, pipeline }) => html`<tr>
<td>${statusBadge(job.status, { allowFailure: job.allowFailure })}</td>
<td><a class="strong" href="${base}/-/jobs/${job.id}">${job.name}</a> <span class="muted">#${job.id}</span>${job.retried ? html` <span class="badge">retried</span>` : ''}</td>
<td><a href="${base}/-/pipelines/${pipeline.id}">#${pipeline.id}</a></td>
<td>${job.stage}</td>
<td><span class="ref">${job.ref}</span></td>
<td>${formatDuration(secondsBetween(job.startedAt, job.finishedAt, pc.now))}</td>
<td>${timeAgo(job.createdAt, pc.now)}</td></tr>`);
  return page(pc, {
    title: `Jobs · ${project.fullPath}`,
    scripts: ['live-refresh.js'],
    content: html`${breadcrumbs([...projectCrumbs(project), { label: 'Jobs' }])}
<div class="page-head"><h1>Jobs</h1></div>
${projectNav(project, 'jobs')}
<form method="get" action="${base}/-/jobs" class="filters" aria-label="Filter jobs">
<label>Status <select name="status"><option value="">Any</option>${JOB_FILTER_STATUSES.map((s) => html`<option value="${s}"${s === filters.status ? ' selected' : ''}>${s}</option>`)}</select></label>
<label>Name <input name="name" type="text" value="${filters.name}"></label>
<label>Branch or tag <input name="ref" type="text" value="${filters.ref}"></label>
<button class="btn" type="submit">Filter</button>${filters.status || filters.name || filters.ref ? html` <a href="${base}/-/jobs">Clear</a>` : ''}</form>
<div id="live-region" data-live="${options.jobs.some(({ job }) => ['pending', 'running', 'created'].includes(job.status)) ? 'on' : 'off'}">
${options.jobs.length === 0 ? emptyState('No jobs match.') : html`<div class="table-wrap"><table class="list jobs"><thead><tr><th scope="col">Status</th><th scope="col">Job</th><th scope="col">Pipeline</th><th scope="col">Stage</th><th scope="col">Ref</th><th scope="col">Duration</th><th scope="col">Created</th></tr></thead><tbody>${rows}</tbody></table></div>`}
</div>
${pager(`${base}/-/jobs`, { status: filters.status, name: filters.name, ref: filters.ref }, options.page, options.hasMore)}`,
  });
}

export interface JobPageData {
  project: Project;
  view: JobView;
  actions: { cancel: boolean; retry: boolean; play: boolean; erase: boolean; keep: boolean };
  /** Browsing needs a zip archive and the artifacts listing. */
  canBrowseArtifacts: boolean;
  canDownloadArtifacts: boolean;
}

function row(label: string, value: Html | string | null | undefined): Html {
  if (value === null || value === undefined || value === '') return html``;
  return html`<div class="dl-row"><dt>${label}</dt><dd>${value}</dd></div>`;
}

function sidebar(pc: PageContext, data: JobPageData): Html {
  const { project, view } = data;
  const { job, pipeline } = view;
  const base = projectUrl(project);
  const apiJob = `/api/v4/projects/${project.id}/jobs/${job.id}`;
  const archive = view.artifacts.find((a) => a.fileType === 'archive');
  const others = view.artifacts.filter((a) => a.fileType !== 'archive' && a.fileType !== 'trace');
  return html`<aside id="job-sidebar" class="sidebar" aria-label="Job details">
<dl>
${row('Status', statusBadge(job.status, { allowFailure: job.allowFailure }))}
${job.failureReason && job.status === 'failed' ? row('Failure', job.failureReason.replace(/_/g, ' ')) : ''}
${job.exitCode !== null ? row('Exit code', String(job.exitCode)) : ''}
${row('Duration', job.startedAt ? formatDuration(secondsBetween(job.startedAt, job.finishedAt, pc.now)) : 'not started')}
${row('Queued', job.queuedAt ? formatDuration(secondsBetween(job.queuedAt, job.startedAt, pc.now)) : null)}
${row('Finished', job.finishedAt ? timeAgo(job.finishedAt, pc.now) : null)}
${row('Runner', view.runner ? `#${view.runner.id} ${view.runner.description}` : null)}
${row('Stage', job.stage)}
${row('Ref', html`<span class="ref">${job.ref}</span>`)}
${row('Commit', html`<code class="sha" title="${pipeline.sha}">${shortSha(pipeline.sha)}</code>${view.commit ? html` <span>${view.commit.title}</span>` : ''}`)}
${row('Pipeline', html`<a href="${base}/-/pipelines/${pipeline.id}">#${pipeline.id}</a> <span class="muted">${pipeline.status}</span>`)}
${job.tagList.length > 0 ? row('Tags', html`${job.tagList.map((t) => html`<span class="badge">${t}</span> `)}`) : ''}
${job.coverage !== null ? row('Coverage', `${job.coverage}%`) : ''}
${view.user ? row('Triggered by', view.user.username) : ''}
</dl>
${archive || others.length > 0 ? html`<section class="artifacts" aria-labelledby="artifacts-title"><h2 id="artifacts-title">Artifacts</h2>
${archive ? html`<p class="small muted">${archive.expireAt ? html`Expire ${timeAgo(archive.expireAt, pc.now)}` : 'Kept until deleted'}${archive.locked ? ' · locked' : ''}</p>
<div class="btn-row">${data.canDownloadArtifacts ? html`<a class="btn" href="${apiJob}/artifacts" download>Download</a>` : ''}${data.canBrowseArtifacts ? html`<a class="btn" href="${base}/-/jobs/${job.id}/artifacts/browse">Browse</a>` : ''}${data.actions.keep && archive.expireAt !== null ? actionForm(`${base}/-/jobs/${job.id}/artifacts/keep`, pc.csrfToken ?? '', 'Keep') : ''}</div>` : ''}
${others.length > 0 ? html`<ul class="small">${others.map((a) => html`<li>${a.fileType}: ${a.filename}</li>`)}</ul>` : ''}
</section>` : ''}
</aside>`;
}

function playForm(pc: PageContext, base: string, job: Job): Html {
  const vars = [0, 1, 2].map((i) => html`<div class="var-row">
<label class="sr-only" for="var-key-${i}">Variable ${i + 1} key</label><input id="var-key-${i}" name="variables[${i}][key]" placeholder="Key" class="mono">
<label class="sr-only" for="var-value-${i}">Variable ${i + 1} value</label><input id="var-value-${i}" name="variables[${i}][value]" placeholder="Value" class="mono"></div>`);
  return html`<section class="card play-card" aria-labelledby="play-title"><h2 id="play-title">${job.status === 'scheduled' ? 'Delayed job' : 'Manual job'}</h2>
<p>This job waits to be started by hand. You can pass variables to it.</p>
<form method="post" action="${base}/-/jobs/${job.id}/play" class="stack">${csrfField(pc.csrfToken ?? '')}
${vars}<button type="submit" class="btn btn-primary">Run job</button></form></section>`;
}

export function jobPage(pc: PageContext, data: JobPageData): Html {
  const { project, view, actions } = data;
  const { job } = view;
  const base = projectUrl(project);
  const jobUrl = `${base}/-/jobs/${job.id}`;
  const csrf = pc.csrfToken ?? '';
  const apiJob = `/api/v4/projects/${project.id}/jobs/${job.id}`;
  const finished = ['success', 'failed', 'canceled', 'skipped'].includes(job.status);
  const showLog = job.erasedAt === null && !['manual', 'skipped', 'created'].includes(job.status);
  return page(pc, {
    title: `${job.name} (#${job.id}) · ${project.fullPath}`,
    scripts: ['job-log.js'],
    wide: true,
    content: html`${breadcrumbs([...projectCrumbs(project), { label: 'Jobs', href: `${base}/-/jobs` }, { label: `#${job.id}` }])}
<div id="job-header" class="page-head">
<h1>${statusBadge(job.status, { allowFailure: job.allowFailure, id: 'job-status' })} <span>${job.name}</span> <span class="muted">#${job.id}</span></h1>
<div class="actions" id="job-actions">
${actions.cancel ? actionForm(`${jobUrl}/cancel`, csrf, 'Cancel', { className: 'btn-danger' }) : ''}
${actions.retry ? actionForm(`${jobUrl}/retry`, csrf, 'Retry', { className: 'btn-primary' }) : ''}
${actions.erase ? actionForm(`${jobUrl}/erase`, csrf, 'Erase', { confirm: 'Erase this job\u2019s log and artifacts?' }) : ''}
</div></div>
<p class="meta">Created ${timeAgo(job.createdAt, pc.now)}${view.user ? html` by <span class="strong">${view.user.username}</span>` : ''} in pipeline <a href="${base}/-/pipelines/${view.pipeline.id}">#${view.pipeline.id}</a>${job.retried ? html` · <span class="badge">retried</span> a newer attempt exists` : ''}</p>
<div class="job-layout">
<section class="log-panel" aria-label="Job log">
${actions.play ? playForm(pc, base, job) : ''}
${showLog ? html`<div class="log-toolbar" role="toolbar" aria-label="Log">
<button type="button" class="btn btn-small" data-log="collapse-all">Collapse all</button>
<button type="button" class="btn btn-small" data-log="expand-all">Expand all</button>
<label class="follow"><input type="checkbox" id="log-follow"${finished ? '' : ' checked'}> Follow</label>
<span class="spacer"></span>
<a class="btn btn-small" href="${apiJob}/trace" target="_blank" rel="noopener">Raw</a>
<button type="button" class="btn btn-small" data-log="top" aria-label="Scroll to top">↑</button>
<button type="button" class="btn btn-small" data-log="bottom" aria-label="Scroll to bottom">↓</button>
</div>
<div id="log" class="log" role="log" aria-live="off" tabindex="0" data-stream="${jobUrl}/trace/stream" data-page="${jobUrl}" data-finished="${finished ? 'true' : 'false'}">
<noscript><p>Live logs need JavaScript. <a href="${apiJob}/trace">Open the raw log</a>.</p></noscript>
<div id="log-lines" class="log-lines"></div>
<div id="log-status" class="log-status small" aria-live="polite"></div>
</div>` : job.erasedAt !== null ? html`<p class="empty">This job's log and artifacts were erased ${timeAgo(job.erasedAt, pc.now)}.</p>` : job.status === 'skipped' ? html`<p class="empty">This job was skipped.</p>` : job.status === 'created' ? html`<p class="empty">This job has not started yet; it waits for earlier stages.</p>` : ''}
</section>
${sidebar(pc, data)}
</div>`,
  });
}
