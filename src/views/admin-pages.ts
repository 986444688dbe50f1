import type { Runner } from '../store/runners-repository.js';
import type { User } from '../store/users-repository.js';
import { actionForm, breadcrumbs, csrfField, emptyState, pager, timeAgo } from './components.js';
import { html, type Html } from './html.js';
import { page, type PageContext } from './layout.js';

const RUNNER_STATUS_ICON: Record<string, string> = { online: '●', offline: '○', stale: '◌', never_contacted: '◌', paused: '❚❚' };

export function adminRunnersPage(pc: PageContext, options: { registrationToken: string; externalUrl: string; runners: Array<{ runner: Runner; status: string }>; page: number; hasMore: boolean }): Html {
  return page(pc, {
    title: 'Runners · Admin',
    content: html`${breadcrumbs([{ label: 'Admin' }, { label: 'Runners' }])}
<h1>Runners</h1>
<section class="card"><h2>Register a runner</h2>
<p>gitlab-runner and Conveyor's built-in runner register with this instance's URL and registration token:</p>
<div class="copy-row"><label for="reg-url" class="sr-only">URL</label><input id="reg-url" class="mono" readonly value="${options.externalUrl}"><button type="button" class="btn" data-copy="#reg-url">Copy URL</button></div>
<div class="copy-row"><label for="reg-token" class="sr-only">Registration token</label><input id="reg-token" class="mono" readonly value="${options.registrationToken}"><button type="button" class="btn" data-copy="#reg-token">Copy token</button></div>
</section>
${options.runners.length === 0 ? emptyState('No runners yet.') : html`<div class="table-wrap"><table class="list runners"><thead><tr><th scope="col">Status</th><th scope="col">Runner</th><th scope="col">Type</th><th scope="col">Tags</th><th scope="col">Last contact</th></tr></thead><tbody>
${options.runners.map(({ runner, status }) => html`<tr><td><span class="runner-status runner-${status}"><span aria-hidden="true">${RUNNER_STATUS_ICON[status] ?? '○'}</span> ${status.replace('_', ' ')}</span></td>
<td><span class="strong">#${runner.id}</span> ${runner.description || html`<span class="muted">no description</span>`}<div class="small muted mono">${runner.shortSha}</div></td>
<td>${runner.runnerType.replace('_type', '')}</td>
<td>${runner.tagList.map((t) => html`<span class="badge">${t}</span> `)}${runner.runUntagged ? html`<span class="small muted">runs untagged</span>` : ''}</td>
<td>${timeAgo(runner.contactedAt, pc.now)}</td></tr>`)}</tbody></table></div>`}
${pager('/admin/runners', {}, options.page, options.hasMore)}`,
  });
}

export function adminUsersPage(pc: PageContext, options: { users: User[]; search: string; page: number; hasMore: boolean; errors?: string[]; created?: string }): Html {
  const csrf = pc.csrfToken ?? '';
  return page(pc, {
    title: 'Users · Admin',
    content: html`${breadcrumbs([{ label: 'Admin' }, { label: 'Users' }])}
<div class="page-head"><h1>Users</h1>
<form method="get" action="/admin/users" class="filters" role="search"><label for="user-search" class="sr-only">Search users</label><input id="user-search" type="search" name="search" value="${options.search}" placeholder="Search users"><button class="btn" type="submit">Search</button></form></div>
${options.created ? html`<div class="flash flash-notice" role="status">User ${options.created} was created.</div>` : ''}
${options.errors && options.errors.length > 0 ? html`<div class="flash flash-alert" role="alert"><ul>${options.errors.map((e) => html`<li>${e}</li>`)}</ul></div>` : ''}
<div class="table-wrap"><table class="list"><thead><tr><th scope="col">User</th><th scope="col">Email</th><th scope="col">Role</th><th scope="col">State</th><th scope="col">Created</th><th scope="col"><span class="sr-only">Actions</span></th></tr></thead><tbody>
${options.users.map((u) => html`<tr><td><span class="strong">${u.username}</span><div class="small muted">${u.name}</div></td><td>${u.email}</td><td>${u.isAdmin ? html`<span class="badge">admin</span>` : 'regular'}</td><td>${u.state}</td><td>${timeAgo(u.createdAt, pc.now)}</td>
<td>${pc.user?.username === u.username ? '' : u.state === 'blocked'
  ? actionForm(`/admin/users/${u.id}/unblock`, csrf, 'Unblock', { className: 'btn-small' })
  : actionForm(`/admin/users/${u.id}/block`, csrf, 'Block', { className: 'btn-small btn-danger', confirm: `Block ${u.username}?` })}</td></tr>`)}
</tbody></table></div>
${pager('/admin/users', { search: options.search }, options.page, options.hasMore)}
<section class="card"><h2>New user</h2>
<form method="post" action="/admin/users" class="stack">${csrfField(csrf)}
<label for="new-username">Username</label><input id="new-username" name="username" required>
<label for="new-name">Name</label><input id="new-name" name="name" required>
<label for="new-email">Email</label><input id="new-email" name="email" type="email" required>
<label for="new-password">Password (at least 8 characters)</label><input id="new-password" name="password" type="password" minlength="8" required autocomplete="new-password">
<label class="check"><input type="checkbox" name="admin" value="true"> Administrator</label>
<button type="submit" class="btn btn-primary">Create user</button></form></section>`,
  });
}
