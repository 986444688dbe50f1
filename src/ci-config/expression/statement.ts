import type { ExpressionNode } from './ast.js';
import { BoundedCache } from './bounded-cache.js';
import { ExpressionError } from './errors.js';
import { evaluateExpression, type Variables } from './evaluate.js';
import { tokenize } from './lexer.js';
import { parse } from './parser.js';

// The same few `rules:if` strings are evaluated for every job of every
// pipeline; trees are immutable, so one parse can serve them all.
const parsed = new BoundedCache<ExpressionNode>(1000);

/** Lexes and parses a statement; throws ExpressionError with the offending position. */
export function parseExpression(source: string): ExpressionNode {
  const cached = parsed.get(source);
  if (cached) return cached;
  const tree = parse(tokenize(source), source);
  parsed.set(source, tree);
  return tree;
}

/**
 * Statement#truthful?: whether a rule's `if` holds. Like GitLab, a statement
 * that cannot be parsed or evaluated is simply false — configuration lint
 * (isValidExpression) is where syntax errors are reported.
 */
export function matchesExpression(source: string, variables: Variables): boolean {
  try {
    return evaluateExpression(parseExpression(source), variables);
  } catch (error) {
    if (error instanceof ExpressionError) return false;
    throw error;
  }
}

const NO_VARIABLES: ReadonlyMap<string, string> = new Map();

/**
 * Statement#valid?: the statement parses and evaluates (with no variables
 * set). Returns the error message, or null when valid.
 */
export function isValidExpression(source: string): string | null {
  try {
    evaluateExpression(parseExpression(source), NO_VARIABLES);
    return null;
  } catch (error) {
    if (error instanceof ExpressionError) return error.message;
    throw error;
  }
}
