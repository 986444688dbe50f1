/**
 * The parse tree. Parentheses leave no node: they only shape the tree, as in
 * GitLab's shunting-yard parser. Nodes are frozen because parsed trees are
 * cached and shared between callers.
 */
export type ComparisonOperator = '==' | '!=' | '=~' | '!~';
export type LogicalOperator = '&&' | '||';
export type BinaryOperator = ComparisonOperator | LogicalOperator;

export interface VariableNode {
  readonly type: 'variable';
  readonly name: string;
  readonly position: number;
}

export interface StringNode {
  readonly type: 'string';
  readonly value: string;
  readonly position: number;
}

export interface NullNode {
  readonly type: 'null';
  readonly position: number;
}

export interface PatternNode {
  readonly type: 'pattern';
  /** `/body/flags` with `\/` already turned into `/`, the value GitLab's Lexeme::Pattern keeps. */
  readonly literal: string;
  readonly position: number;
}

export interface BinaryNode {
  readonly type: 'binary';
  readonly operator: BinaryOperator;
  readonly left: ExpressionNode;
  readonly right: ExpressionNode;
  /** Where the operator is written. */
  readonly position: number;
}

export type ExpressionNode = VariableNode | StringNode | NullNode | PatternNode | BinaryNode;
