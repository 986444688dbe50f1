import type { BinaryOperator, ExpressionNode } from './ast.js';
import { ExpressionError } from './errors.js';
import type { Token } from './lexer.js';
import { compileRegexLiteral, unescapeSlashes } from './regex.js';

/**
 * Binding strength, from GitLab's Lexeme precedences (comparisons 10, `&&` 11,
 * `||` 12, lower binding tighter) and its left-associative shunting-yard
 * (`consume?` pops on >=): `$A == "a" == $B` is `($A == "a") == $B`.
 */
const BINDING: Readonly<Record<BinaryOperator, number>> = {
  '||': 1,
  '&&': 2,
  '==': 3,
  '!=': 3,
  '=~': 3,
  '!~': 3,
};

function isBinaryOperator(kind: Token['kind']): kind is BinaryOperator {
  return kind in BINDING;
}

/**
 * Precedence climbing over the token list. For every infix statement it builds
 * the tree GitLab's shunting-yard builds; unlike it, operators out of infix
 * position (`== $A "a"`, `$A (== "a")`) are rejected rather than silently
 * rearranged into a valid tree.
 */
export function parse(tokens: readonly Token[], source: string): ExpressionNode {
  return new Parser(tokens, source).parseStatement();
}

class Parser {
  private index = 0;

  constructor(
    private readonly tokens: readonly Token[],
    private readonly source: string,
  ) {}

  parseStatement(): ExpressionNode {
    if (this.tokens.length === 0) throw new ExpressionError('empty expression', 0);
    const tree = this.parseBinary(0);
    const extra = this.peek();
    if (extra) {
      if (extra.kind === ')') throw new ExpressionError("unmatched ')'", extra.position);
      throw new ExpressionError(`expected an operator before ${describe(extra)}`, extra.position);
    }
    return tree;
  }

  private parseBinary(minimumBinding: number): ExpressionNode {
    let left = this.parsePrimary();
    for (;;) {
      const operator = this.peek();
      if (!operator || !isBinaryOperator(operator.kind) || BINDING[operator.kind] < minimumBinding) return left;
      this.index++;
      this.expectRightOperand(operator);
      const right = this.parseBinary(BINDING[operator.kind] + 1);
      left = Object.freeze({ type: 'binary', operator: operator.kind, left, right, position: operator.position });
    }
  }

  /** Checked here rather than in parsePrimary so the message names the operator left hanging. */
  private expectRightOperand(operator: Token): void {
    const next = this.peek();
    if (!next || isBinaryOperator(next.kind) || next.kind === ')') {
      throw new ExpressionError(`missing right operand for '${operator.text}'`, next ? next.position : this.source.length);
    }
  }

  private parsePrimary(): ExpressionNode {
    const token = this.peek();
    if (!token) throw new ExpressionError('unexpected end of expression', this.source.length);
    if (isBinaryOperator(token.kind)) throw new ExpressionError(`missing left operand for '${token.text}'`, token.position);
    this.index++;
    switch (token.kind) {
      case '(':
        return this.parseGroup(token);
      case ')':
        throw new ExpressionError("unmatched ')'", token.position);
      case 'variable':
        return Object.freeze({ type: 'variable', name: token.value ?? '', position: token.position });
      case 'string':
        return Object.freeze({ type: 'string', value: token.value ?? '', position: token.position });
      case 'null':
        return Object.freeze({ type: 'null', position: token.position });
      case 'pattern':
        return this.pattern(token);
    }
  }

  private parseGroup(open: Token): ExpressionNode {
    const next = this.peek();
    if (!next) throw new ExpressionError("unmatched '('", open.position);
    if (next.kind === ')') throw new ExpressionError('empty parentheses', next.position);
    const inner = this.parseBinary(0);
    const close = this.peek();
    if (!close) throw new ExpressionError("unmatched '('", open.position);
    if (close.kind !== ')') throw new ExpressionError(`expected an operator or ')' before ${describe(close)}`, close.position);
    this.index++;
    return inner;
  }

  /** GitLab compiles literal patterns while building the tree: a bad one is a syntax error, not a runtime one. */
  private pattern(token: Token): ExpressionNode {
    const literal = unescapeSlashes(token.value ?? '');
    const compiled = compileRegexLiteral(literal);
    if (!compiled.ok) throw new ExpressionError(`invalid regular expression ${token.text}: ${compiled.reason}`, token.position);
    return Object.freeze({ type: 'pattern', literal, position: token.position });
  }

  private peek(): Token | undefined {
    return this.tokens[this.index];
  }
}

function describe(token: Token): string {
  return token.kind === 'string' || token.kind === 'variable' || token.kind === 'pattern' || token.kind === 'null'
    ? token.text
    : `'${token.text}'`;
}
