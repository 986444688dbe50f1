import { ExpressionError } from './errors.js';

export type TokenKind =
  | 'variable'
  | 'string'
  | 'pattern'
  | 'null'
  | '=='
  | '!='
  | '=~'
  | '!~'
  | '&&'
  | '||'
  | '('
  | ')';

export interface Token {
  readonly kind: TokenKind;
  /** The characters as written, e.g. `$CI_COMMIT_BRANCH` or `"main"`. */
  readonly text: string;
  /** Variable name, string contents, or the pattern literal as written; absent for operators. */
  readonly value?: string;
  readonly position: number;
}

/**
 * Lexer::MAX_TOKENS. GitLab's loop runs this many times and only notices the
 * end of input at the top of an iteration, so a statement of exactly 100
 * tokens is already "too many"; the same loop shape is kept to agree on that.
 */
export const MAX_TOKENS = 100;

/** `\w` in Ruby is ASCII-only, unlike a Unicode-aware reading of it. */
const NAME = /[A-Za-z0-9_]+/y;
/**
 * Lexeme::Pattern::PATTERN minus its `^` (StringScanner anchors at the scan
 * position anyway). The body must be at least two characters, a slash may be
 * escaped as `\/`, and the pattern ends at the first unescaped slash that can
 * close it — `/ab/ || /cd/` is two patterns, and `/a/` is no pattern at all.
 */
const PATTERN = /\/(?:[^/]|\\\/)+[^\\]\/[ismU]*/y;
/** Ruby's `\s`: ASCII whitespace only, so a no-break space is an unknown lexeme as in GitLab. */
const WHITESPACE = /[ \t\r\n\f\v]+/y;

const OPERATORS: ReadonlyArray<TokenKind> = ['==', '=~', '!=', '!~', '&&', '||'];

export function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let position = 0;
  for (let iteration = 0; iteration < MAX_TOKENS; iteration++) {
    WHITESPACE.lastIndex = position;
    if (WHITESPACE.test(source)) position = WHITESPACE.lastIndex;
    if (position >= source.length) return tokens;
    const token = scanToken(source, position);
    tokens.push(token);
    position += token.text.length;
  }
  throw new ExpressionError(`too many tokens (at most ${MAX_TOKENS - 1} are allowed)`, position);
}

function scanToken(source: string, position: number): Token {
  const char = source[position];
  if (char === '(' || char === ')') return { kind: char, text: char, position };
  if (char === '$') return scanVariable(source, position);
  if (char === '"' || char === "'") return scanString(source, position, char);
  if (char === '/') {
    PATTERN.lastIndex = position;
    const match = PATTERN.exec(source);
    if (match) return { kind: 'pattern', text: match[0], value: match[0], position };
    throw new ExpressionError(
      `malformed pattern ${JSON.stringify(excerpt(source, position))}: expected /regex/flags with at least two characters between the slashes`,
      position,
    );
  }
  if (source.startsWith('null', position)) return { kind: 'null', text: 'null', position };
  for (const operator of OPERATORS) {
    if (source.startsWith(operator, position)) return { kind: operator, text: operator, position };
  }
  throw new ExpressionError(`unknown lexeme ${JSON.stringify(excerpt(source, position))}`, position);
}

/**
 * `$NAME` is GitLab's only variable form. `${NAME}` is accepted as well, as in
 * script lines: GitLab rejects it in expressions, so accepting it changes no
 * valid GitLab configuration.
 */
function scanVariable(source: string, position: number): Token {
  const braced = source[position + 1] === '{';
  NAME.lastIndex = position + (braced ? 2 : 1);
  const match = NAME.exec(source);
  if (!match || (braced && source[NAME.lastIndex] !== '}')) {
    throw new ExpressionError(`invalid variable reference ${JSON.stringify(excerpt(source, position))}`, position);
  }
  const end = NAME.lastIndex + (braced ? 1 : 0);
  return { kind: 'variable', text: source.slice(position, end), value: match[0], position };
}

/**
 * Lexeme::String is /("(?<string>.*?)")|('(?<string>.*?)')/: the string ends at
 * the first matching quote and there are no escapes, so `"a\"` is the two
 * characters `a\`. Ruby's `.` stops at a newline, so a string cannot span lines.
 */
function scanString(source: string, position: number, quote: string): Token {
  for (let end = position + 1; end < source.length; end++) {
    const char = source[end];
    if (char === quote) {
      return { kind: 'string', text: source.slice(position, end + 1), value: source.slice(position + 1, end), position };
    }
    if (char === '\n') break;
  }
  throw new ExpressionError('unterminated string', position);
}

function excerpt(source: string, position: number): string {
  const rest = source.slice(position).split(/[ \t\r\n\f\v]/, 1)[0] ?? '';
  return rest.length > 20 ? `${rest.slice(0, 20)}…` : rest;
}
