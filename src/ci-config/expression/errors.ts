/**
 * The one error type of the expression language. GitLab raises several
 * (Lexer::SyntaxError, Parser::ParseError, OperatorError, RuntimeError), all
 * subclasses of Expression::ExpressionError and all rescued the same way, so
 * one class is enough here. Unlike GitLab's, it says where: pipeline editors
 * and lint output can point at the offending character.
 */
export class ExpressionError extends Error {
  /** UTF-16 offset into the expression source where the problem was found. */
  readonly position: number;
  /** The problem alone, without the " at position N" suffix carried by `message`. */
  readonly detail: string;

  constructor(detail: string, position: number) {
    super(`${detail} at position ${position}`);
    this.name = 'ExpressionError';
    this.detail = detail;
    this.position = position;
  }
}
