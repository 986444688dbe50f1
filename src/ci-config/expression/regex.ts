import { RE2JS } from 're2js';
import { BoundedCache } from './bounded-cache.js';

/**
 * A compiled pattern, the counterpart of Gitlab::UntrustedRegexp. Patterns
 * come from users (and from CI/CD variables), so they run on RE2 semantics in
 * linear time: `/(a+)+$/` cannot stall the server the way a backtracking
 * engine would.
 */
export class CompiledRegex {
  /** The RE2 source with flags inlined, e.g. `(?i)^release`; GitLab compares patterns by it. */
  readonly source: string;
  private readonly engine: RE2JS;

  constructor(source: string, engine: RE2JS) {
    this.source = source;
    this.engine = engine;
  }

  /** GitLab asks `scan(text).present?`, which is "is there a match anywhere in text". */
  test(text: string): boolean {
    return this.engine.test(text);
  }
}

export type RegexCompilation = { ok: true; regex: CompiledRegex } | { ok: false; reason: string };

/**
 * Lexeme::Pattern lets `\/` stand for `/` inside the delimiters; the escape is
 * dropped before compiling (RE2 would accept `\/`, but the spec'd value of
 * `/foo\/bar/` is `/foo/bar/`). Applied to variable values too, as GitLab does.
 */
export function unescapeSlashes(literal: string): string {
  return literal.replaceAll('\\/', '/');
}

const FLAGS = /^[ismU]*$/;

/**
 * Splits `/body/flags` the way UntrustedRegexp::RubySyntax::PATTERN,
 * %r{^/(?<regexp>.*)/(?<flags>[ismU]*)$}, does in Ruby: `^`/`$` are line
 * anchors and `.` stops at "\n", so the first line shaped like a literal wins,
 * and the greedy `.*` makes the body run to that line's last slash.
 */
export function splitRegexLiteral(literal: string): { body: string; flags: string } | null {
  let lineStart = 0;
  for (;;) {
    const newline = literal.indexOf('\n', lineStart);
    const lineEnd = newline === -1 ? literal.length : newline;
    if (literal[lineStart] === '/') {
      const lastSlash = literal.lastIndexOf('/', lineEnd - 1);
      const flags = literal.slice(lastSlash + 1, lineEnd);
      if (lastSlash > lineStart && FLAGS.test(flags)) return { body: literal.slice(lineStart + 1, lastSlash), flags };
    }
    if (newline === -1) return null;
    lineStart = newline + 1;
  }
}

// GitLab memoises fabricated patterns per request; a process-wide bounded cache
// serves the same purpose across the many jobs sharing one rule.
const compiled = new BoundedCache<RegexCompilation>(1000);

/**
 * Compiles a Ruby-syntax literal (slashes already unescaped) as
 * RubySyntax.fabricate! does: flags become an inline `(?flags)` group, so
 * `i`, `s` and `m` take their RE2 meanings (`m` is multi-line `^`/`$`, not
 * Ruby's dot-all) and `U` makes quantifiers lazy.
 */
export function compileRegexLiteral(literal: string): RegexCompilation {
  const cached = compiled.get(literal);
  if (cached) return cached;
  const result = compileUncached(literal);
  compiled.set(literal, result);
  return result;
}

function compileUncached(literal: string): RegexCompilation {
  const parts = splitRegexLiteral(literal);
  if (!parts) return { ok: false, reason: 'not of the form /pattern/flags' };
  const source = parts.flags ? `(?${parts.flags})${parts.body}` : parts.body;
  try {
    return { ok: true, regex: new CompiledRegex(source, RE2JS.compile(source)) };
  } catch (error) {
    return { ok: false, reason: error instanceof Error ? error.message : String(error) };
  }
}
