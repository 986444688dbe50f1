import { html, trustedHtml, type Html, type HtmlValue } from './html.js';

/** Each status has a glyph and a word: status is never told by colour alone. */
const ICONS: Record<string, string> = {
  success: '<path d="M4.5 8.2l2.3 2.3 4.7-5"/>',
  failed: '<path d="M5.5 5.5l5 5M10.5 5.5l-5 5"/>',
  canceled: '<path d="M4.8 11.2l6.4-6.4"/>',
  canceling: '<path d="M4.8 11.2l6.4-6.4"/>',
  running: '<path d="M8 3.5a4.5 4.5 0 0 1 0 9z" class="fill"/>',
  pending: '<path d="M6 5.5v5M10 5.5v5"/>',
  created: '<circle cx="8" cy="8" r="1.6" class="fill"/>',
  waiting_for_resource: '<path d="M6 5.5v5M10 5.5v5"/>',
  preparing: '<path d="M6 5.5v5M10 5.5v5"/>',
  skipped: '<path d="M5 5l3 3-3 3M8.5 5l3 3-3 3"/>',
  manual: '<path d="M6.5 5v6l4.5-3z" class="fill"/>',
  scheduled: '<path d="M8 4.8V8l2.2 1.6"/>',
  warning: '<path d="M8 4.5v4.2M8 11v.4"/>',
};

const LABELS: Record<string, string> = { waiting_for_resource: 'waiting', success_with_warnings: 'warning' };

/** A job or pipeline status as GitLab shows it: `failed` but allowed to fail reads as a warning. */
export function statusBadge(status: string, options: { allowFailure?: boolean; small?: boolean; id?: string } = {}): Html {
  const shown = status === 'failed' && options.allowFailure ? 'warning' : status;
  const label = LABELS[shown] ?? shown;
  return html`<span class="status status-${shown}${options.small ? ' small' : ''}" ${options.id ? html`id="${options.id}"` : ''} data-status="${shown}">${statusIcon(shown)}<span class="status-text">${label}</span></span>`;
}

export function statusIcon(status: string): Html {
  return trustedHtml(`<svg class="status-icon" viewBox="0 0 16 16" aria-hidden="true" focusable="false"><circle cx="8" cy="8" r="7"/>${ICONS[status] ?? ICONS.created}</svg>`);
}

/** `1h 02m 05s`, `2m 05s`, `5s`; empty for null. */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return '';
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = s % 60;
  const pad = (n: number) => String(n).padStart(2, '0');
  if (h > 0) return `${h}h ${pad(m)}m ${pad(rest)}s`;
  if (m > 0) return `${m}m ${pad(rest)}s`;
  return `${rest}s`;
}

export function secondsBetween(from: string | null, to: string | null, now: Date): number | null {
  if (from === null) return null;
  return Math.max(0, ((to ? Date.parse(to) : now.getTime()) - Date.parse(from)) / 1000);
}

function relative(iso: string, now: Date): string {
  const diff = Math.round((now.getTime() - Date.parse(iso)) / 1000);
  const future = diff < 0;
  const abs = Math.abs(diff);
  const [value, unit] = abs < 60 ? [abs, 'second'] : abs < 3600 ? [Math.floor(abs / 60), 'minute'] : abs < 86400 ? [Math.floor(abs / 3600), 'hour'] : [Math.floor(abs / 86400), 'day'];
  if (abs < 10) return 'just now';
  const phrase = `${value} ${unit}${value === 1 ? '' : 's'}`;
  return future ? `in ${phrase}` : `${phrase} ago`;
}

/** A `<time>` with the exact UTC time as its tooltip and a relative phrase as its text. */
export function timeAgo(iso: string | null, now: Date): Html {
  if (iso === null) return html`<span class="muted">—</span>`;
  const exact = `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC`;
  return html`<time datetime="${iso}" title="${exact}">${relative(iso, now)}</time>`;
}

export function shortSha(sha: string): string {
  return sha.slice(0, 8);
}

/** A POST form with the session's CSRF token; `confirm` asks first (handled by app.js). */
export function actionForm(action: string, csrfToken: string, label: HtmlValue, options: { className?: string; confirm?: string; fields?: Record<string, string>; title?: string } = {}): Html {
  const fields = Object.entries(options.fields ?? {}).map(([name, value]) => html`<input type="hidden" name="${name}" value="${value}">`);
  return html`<form method="post" action="${action}" class="inline-form"${options.confirm ? html` data-confirm="${options.confirm}"` : ''}>
<input type="hidden" name="authenticity_token" value="${csrfToken}">${fields}
<button type="submit" class="btn ${options.className ?? ''}"${options.title ? html` title="${options.title}"` : ''}>${label}</button></form>`;
}

export function csrfField(csrfToken: string): Html {
  return html`<input type="hidden" name="authenticity_token" value="${csrfToken}">`;
}

export interface Crumb {
  label: string;
  href?: string;
}

export function breadcrumbs(crumbs: Crumb[]): Html {
  return html`<nav class="breadcrumbs" aria-label="Breadcrumb"><ol>${crumbs.map((c, i) =>
    html`<li>${c.href && i < crumbs.length - 1 ? html`<a href="${c.href}">${c.label}</a>` : html`<span aria-current="${i === crumbs.length - 1 ? 'page' : 'false'}">${c.label}</span>`}</li>`)}</ol></nav>`;
}

/** Previous / next links for offset pages. */
export function pager(baseUrl: string, query: Record<string, string | undefined>, page: number, hasMore: boolean): Html {
  if (page <= 1 && !hasMore) return html``;
  const link = (p: number) => {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (v) params.set(k, v);
    params.set('page', String(p));
    return `${baseUrl}?${params.toString()}`;
  };
  return html`<nav class="pager" aria-label="Pages">${page > 1 ? html`<a class="btn" href="${link(page - 1)}" rel="prev">← Previous</a>` : ''}<span class="muted">Page ${page}</span>${hasMore ? html`<a class="btn" href="${link(page + 1)}" rel="next">Next →</a>` : ''}</nav>`;
}

export function emptyState(text: string): Html {
  return html`<p class="empty">${text}</p>`;
}
