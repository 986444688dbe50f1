/**
 * The only way pages are written: a tagged template that escapes every interpolated value unless it is
 * already `Html` (built by this template or by `trustedHtml`). Arrays are joined; null, undefined and
 * false render nothing. User data can therefore never become markup by accident.
 */
export class Html {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

export type HtmlValue = Html | string | number | boolean | null | undefined | HtmlValue[];

function render(value: HtmlValue): string {
  if (value === null || value === undefined || value === false) return '';
  if (value instanceof Html) return value.text;
  if (Array.isArray(value)) return value.map(render).join('');
  return escapeHtml(String(value));
}

export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): Html {
  let out = strings[0];
  for (let i = 0; i < values.length; i++) out += render(values[i]) + strings[i + 1];
  return new Html(out);
}

/** Markup written by this program (never by users), e.g. an SVG icon. */
export function trustedHtml(text: string): Html {
  return new Html(text);
}

/** A URL for an href: only same-site paths and http(s) URLs; anything else (javascript:, data:) becomes `#`. */
export function safeHref(url: string): string {
  return /^(\/(?!\/)|https?:\/\/)/i.test(url) ? url : '#';
}

/** Encodes each segment of a project's full path for use in a URL path. */
export function pathUrl(fullPath: string): string {
  return fullPath.split('/').map(encodeURIComponent).join('/');
}
