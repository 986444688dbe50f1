import type { YAMLError } from 'yaml';

/**
 * A YAML syntax error worded as Ruby's Psych (libyaml) words it, since GitLab shows that text verbatim:
 * `(<unknown>): <problem> <context> at line L column C`. The yaml package finds the same faults but
 * names them differently; the common ones are translated, the rest keep the package's wording.
 */

function lineCol(text: string, offset: number): { line: number; col: number } {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return { line, col: offset - (before.lastIndexOf('\n') + 1) + 1 };
}

const indentOf = (line: string) => line.length - line.trimStart().length;

/**
 * libyaml reports a key indented less than its siblings as "did not find expected key while parsing
 * a block mapping", located at the start of the enclosing mapping: the first of the lines at the
 * nearest shallower indentation.
 */
function enclosingMappingStart(text: string, offset: number): { line: number; col: number } {
  const lines = text.split('\n');
  const at = lineCol(text, offset);
  const column = at.col - 1;
  let row = at.line - 2;
  let parentIndent = -1;
  for (; row >= 0; row--) {
    if (lines[row].trim() === '' || lines[row].trimStart().startsWith('#')) continue;
    if (indentOf(lines[row]) < column) {
      parentIndent = indentOf(lines[row]);
      break;
    }
  }
  let start = Math.max(row, 0);
  for (let r = row - 1; r >= 0; r--) {
    if (lines[r].trim() === '' || lines[r].trimStart().startsWith('#')) continue;
    if (indentOf(lines[r]) < parentIndent) break;
    if (indentOf(lines[r]) === parentIndent) start = r;
  }
  return { line: start + 1, col: Math.max(parentIndent, 0) + 1 };
}

/** The first `:` that ends an implicit key at or after `offset` (where libyaml stops). */
function nextMappingColon(text: string, offset: number): number {
  const match = /:(?=[ \t\r\n]|$)/g;
  match.lastIndex = offset;
  return match.exec(text)?.index ?? offset;
}

export function psychMessage(text: string, error: YAMLError): string {
  const offset = error.pos[0];
  let problem = error.message.split('\n')[0];
  let at = lineCol(text, offset);
  if (error.code === 'BLOCK_AS_IMPLICIT_KEY' || error.code === 'MULTILINE_IMPLICIT_KEY') {
    problem = 'mapping values are not allowed in this context';
    at = lineCol(text, nextMappingColon(text, offset));
  } else if (error.code === 'BAD_INDENT' && /mapping items/.test(problem)) {
    problem = 'did not find expected key while parsing a block mapping';
    at = enclosingMappingStart(text, offset);
  } else if (error.code === 'MISSING_CHAR' && /closing .*quote/.test(problem)) {
    problem = 'found unexpected end of stream while scanning a quoted scalar';
    const quote = Math.max(text.lastIndexOf("'", offset - 1), text.lastIndexOf('"', offset - 1));
    at = lineCol(text, Math.max(quote, 0));
  }
  return `(<unknown>): ${problem} at line ${at.line} column ${at.col}`;
}
