import assert from 'node:assert/strict';

export interface WebResponse {
  status: number;
  headers: Headers;
  text: string;
}

/** A browser-like HTTP client for the web UI: keeps cookies, sends forms, does not follow redirects. */
export class WebClient {
  readonly cookies = new Map<string, string>();

  constructor(readonly baseUrl: string) {}

  private remember(headers: Headers) {
    for (const line of headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      if (attributes.some((a) => /^\s*max-age=0$/i.test(a)) || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  async request(method: string, path: string, options: { form?: Record<string, string>; headers?: Record<string, string>; json?: unknown } = {}): Promise<WebResponse> {
    const headers: Record<string, string> = { accept: 'text/html', ...(options.headers ?? {}) };
    if (this.cookies.size > 0) headers.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    let body: string | undefined;
    if (options.form) {
      body = new URLSearchParams(options.form).toString();
      headers['content-type'] = 'application/x-www-form-urlencoded';
    } else if (options.json !== undefined) {
      body = JSON.stringify(options.json);
      headers['content-type'] = 'application/json';
    }
    const response = await fetch(this.baseUrl + path, { method, headers, body, redirect: 'manual' });
    this.remember(response.headers);
    return { status: response.status, headers: response.headers, text: await response.text() };
  }

  get(path: string, headers: Record<string, string> = {}) {
    return this.request('GET', path, { headers });
  }

  post(path: string, form: Record<string, string>, headers: Record<string, string> = {}) {
    return this.request('POST', path, { form, headers });
  }

  /** The `authenticity_token` of the first form on a page. */
  static formToken(html: string): string {
    const token = /name="authenticity_token" value="([^"]*)"/.exec(html)?.[1];
    assert.ok(token, 'the page has a form with a CSRF token');
    return token;
  }

  /** The session's CSRF token as pages publish it for scripts. */
  static csrfMeta(html: string): string {
    const token = /<meta name="csrf-token" content="([^"]*)">/.exec(html)?.[1];
    assert.ok(token, 'the page has a csrf-token meta tag');
    return token;
  }

  async signIn(login: string, password: string): Promise<WebResponse> {
    const form = await this.get('/users/sign_in');
    return this.post('/users/sign_in', { authenticity_token: WebClient.formToken(form.text), login, password, redirect_to: '/' });
  }
}
