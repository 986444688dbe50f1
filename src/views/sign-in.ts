import { html, type Html } from './html.js';
import { page, type PageContext } from './layout.js';

export function signInPage(pc: PageContext, options: { formToken: string; redirectTo: string; login?: string; error?: string }): Html {
  return page(pc, {
    title: 'Sign in',
    content: html`<section class="sign-in card">
<h1>Sign in to Conveyor</h1>
${options.error ? html`<div class="flash flash-alert" role="alert" id="sign-in-error">${options.error}</div>` : ''}
<form method="post" action="/users/sign_in" class="stack">
  <input type="hidden" name="authenticity_token" value="${options.formToken}">
  <input type="hidden" name="redirect_to" value="${options.redirectTo}">
  <label for="user_login">Username or email</label>
  <input id="user_login" name="login" type="text" autocomplete="username" required autofocus value="${options.login ?? ''}">
  <label for="user_password">Password</label>
  <input id="user_password" name="password" type="password" autocomplete="current-password" required>
  <button type="submit" class="btn btn-primary">Sign in</button>
</form>
</section>`,
  });
}
