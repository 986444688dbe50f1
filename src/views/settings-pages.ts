import type { PersonalAccessToken } from '../store/personal-access-tokens-repository.js';
import { actionForm, breadcrumbs, csrfField, timeAgo } from './components.js';
import { html, type Html } from './html.js';
import { page, type PageContext } from './layout.js';

export function tokensPage(pc: PageContext, options: { tokens: PersonalAccessToken[]; scopes: string[]; created?: { name: string; secret: string }; errors?: string[]; form?: { name: string; scopes: string[]; expiresAt: string } }): Html {
  const csrf = pc.csrfToken ?? '';
  const active = options.tokens.filter((t) => !t.revoked);
  const form = options.form ?? { name: '', scopes: ['api'], expiresAt: '' };
  return page(pc, {
    title: 'Personal access tokens',
    content: html`${breadcrumbs([{ label: 'User settings' }, { label: 'Personal access tokens' }])}
<h1>Personal access tokens</h1>
<p>Tokens let scripts and GitLab clients (python-gitlab, glab, gitbeaker) act as you through the API, and git push and pull over HTTP.</p>
${options.created ? html`<div class="flash flash-notice" role="status"><p>Your new token <strong>${options.created.name}</strong> was created. Copy it now: it will not be shown again.</p>
<div class="copy-row"><label for="new-token" class="sr-only">New token</label><input id="new-token" class="mono" readonly value="${options.created.secret}"><button type="button" class="btn" data-copy="#new-token">Copy</button></div></div>` : ''}
${options.errors && options.errors.length > 0 ? html`<div class="flash flash-alert" role="alert"><ul>${options.errors.map((e) => html`<li>${e}</li>`)}</ul></div>` : ''}
<section class="card"><h2>Add a new token</h2>
<form method="post" action="/-/user_settings/personal_access_tokens" class="stack">${csrfField(csrf)}
<label for="token-name">Token name</label><input id="token-name" name="name" required maxlength="255" value="${form.name}">
<label for="token-expires">Expiration date (optional)</label><input id="token-expires" name="expires_at" type="date" value="${form.expiresAt}">
<fieldset><legend>Scopes</legend><div class="scopes">${options.scopes.map((s) => html`<label class="check"><input type="checkbox" name="scopes[]" value="${s}"${form.scopes.includes(s) ? ' checked' : ''}> ${s}</label>`)}</div></fieldset>
<button type="submit" class="btn btn-primary">Create token</button></form></section>
<section><h2>Active tokens (${active.length})</h2>
<div class="table-wrap"><table class="list"><thead><tr><th scope="col">Name</th><th scope="col">Scopes</th><th scope="col">Created</th><th scope="col">Last used</th><th scope="col">Expires</th><th scope="col"><span class="sr-only">Actions</span></th></tr></thead>
<tbody>${active.map((t) => html`<tr><td>${t.name}</td><td>${t.scopes.join(', ')}</td><td>${timeAgo(t.createdAt, pc.now)}</td><td>${t.lastUsedAt ? timeAgo(t.lastUsedAt, pc.now) : 'never'}</td><td>${t.expiresAt ?? 'never'}</td>
<td>${actionForm(`/-/user_settings/personal_access_tokens/${t.id}/revoke`, csrf, 'Revoke', { className: 'btn-danger btn-small', confirm: `Revoke ${t.name}?` })}</td></tr>`)}</tbody></table></div></section>`,
  });
}
