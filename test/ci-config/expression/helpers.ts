import assert from 'node:assert/strict';
import { ExpressionError, parseExpression, type ExpressionNode } from '../../../src/ci-config/expression/index.js';

/** The tree in the notation of GitLab's Lexeme#inspect, so parser_spec's expectations read the same. */
export function inspect(node: ExpressionNode): string {
  switch (node.type) {
    case 'variable':
      return `$${node.name}`;
    case 'string':
      return JSON.stringify(node.value);
    case 'null':
      return 'null';
    case 'pattern':
      return node.literal;
    case 'binary': {
      const names = { '==': 'equals', '!=': 'not_equals', '=~': 'matches', '!~': 'not_matches', '&&': 'and', '||': 'or' };
      return `${names[node.operator]}(${inspect(node.left)}, ${inspect(node.right)})`;
    }
  }
}

/** Asserts that parsing fails, where, and (optionally) with what message. */
export function assertSyntaxError(source: string, position: number, message?: RegExp): ExpressionError {
  let caught: unknown;
  try {
    parseExpression(source);
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof ExpressionError, `${JSON.stringify(source)} should not parse`);
  assert.equal(caught.position, position, `position for ${JSON.stringify(source)}: ${caught.message}`);
  if (message) assert.match(caught.message, message);
  return caught;
}
