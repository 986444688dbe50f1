/**
 * GitLab CI's `rules:if` / `only:variables` expression language, after
 * lib/gitlab/ci/pipeline/expression in GitLab: lexer -> parser -> evaluator,
 * patterns on RE2 semantics. Pure: no I/O, no imports outside ci-config.
 */
export type { BinaryOperator, ComparisonOperator, ExpressionNode, LogicalOperator } from './ast.js';
export { ExpressionError } from './errors.js';
export { evaluateExpression, evaluateValue, type Variables } from './evaluate.js';
export { CompiledRegex } from './regex.js';
export { isValidExpression, matchesExpression, parseExpression } from './statement.js';
export type { Value } from './values.js';
