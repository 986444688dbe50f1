import { html, type Html, type HtmlValue } from './html.js';

/** Who is looking and what every page needs from the server (asset URLs carry a content hash). */
export interface PageContext {
  user: { username: string; name: string; isAdmin: boolean } | null;
  csrfToken: string | null;
  /** Built (content-hashed) URL of a browser entry, named by its file in web/src (e.g. `asset('app.css')`). */
  asset(name: string): string;
  /** Stylesheets and shared chunks a browser entry imports. */
  assetImports(name: string): { css: string[]; modules: string[] };
  now: Date;
  /** The URL of the page, for the sign-in link's return address. */
  path: string;
}

export interface PageOptions {
  title: string;
  content: Html;
  /** Extra module scripts of this page (entries in web/src). */
  scripts?: string[];
  /** `wide`: the job page uses the whole width. */
  wide?: boolean;
  flash?: { kind: 'notice' | 'alert'; text: string } | null;
}

const LOGO = html`<svg class="logo" viewBox="0 0 24 24" aria-hidden="true" focusable="false"><rect x="2" y="5" width="20" height="4" rx="2"/><rect x="2" y="11" width="20" height="4" rx="2"/><rect x="2" y="17" width="20" height="4" rx="2"/></svg>`;

/** The stylesheet, then each script with what it imports (listed so the browser fetches them at once). */
function assetTags(pc: PageContext, scripts: string[]): Html {
  const imports = scripts.map((name) => pc.assetImports(name));
  const css = new Set([pc.asset('app.css'), ...imports.flatMap((i) => i.css)]);
  const modules = new Set(imports.flatMap((i) => i.modules));
  return html`${[...css].map((href) => html`<link rel="stylesheet" href="${href}">\n`)}${[...modules].map((href) => html`<link rel="modulepreload" href="${href}">\n`)}${scripts.map((name) => html`<script type="module" src="${pc.asset(name)}"></script>\n`)}`;
}

export function page(pc: PageContext, options: PageOptions): Html {
  const user = pc.user;
  return html`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
${pc.csrfToken ? html`<meta name="csrf-token" content="${pc.csrfToken}">` : ''}
<title>${options.title} · Conveyor</title>
${assetTags(pc, ['app.js', ...(options.scripts ?? [])])}
</head>
<body>
<a class="skip-link" href="#main">Skip to content</a>
<header class="topbar">
  <a class="brand" href="/">${LOGO}<span>Conveyor</span></a>
  <nav class="topnav" aria-label="Main">
    <a href="/">Projects</a>
    ${user?.isAdmin ? html`<a href="/admin/runners">Runners</a><a href="/admin/users">Users</a>` : ''}
  </nav>
  <div class="account">
    ${user
      ? html`<a href="/-/user_settings/personal_access_tokens" title="Access tokens">${user.username}</a>
<form method="post" action="/users/sign_out" class="inline-form"><input type="hidden" name="authenticity_token" value="${pc.csrfToken ?? ''}"><button type="submit" class="btn btn-quiet">Sign out</button></form>`
      : html`<a class="btn" href="/users/sign_in?redirect_to=${encodeURIComponent(pc.path)}">Sign in</a>`}
  </div>
</header>
<main id="main" class="${options.wide ? 'main wide' : 'main'}" tabindex="-1">
${options.flash ? html`<div class="flash flash-${options.flash.kind}" role="${options.flash.kind === 'alert' ? 'alert' : 'status'}">${options.flash.text}</div>` : ''}
${options.content}
</main>
</body>
</html>`;
}

/** A page with a heading and a paragraph: errors, "signed out", and the like. */
export function messagePage(pc: PageContext, title: string, text: HtmlValue): Html {
  return page(pc, { title, content: html`<section class="message"><h1>${title}</h1><p>${text}</p><p><a href="/">Back to projects</a></p></section>` });
}
