/**
 * Plain (unquoted, untagged) YAML scalars resolved the way Ruby's Psych does for GitLab, which is
 * YAML 1.1-ish and not the YAML 1.2 core schema: `yes`/`on` are true, `0755` is octal, `1:30` is 90,
 * `1,000` is 1000, and a date or time is a class `safe_load` refuses. Mirrors Psych::ScalarScanner#tokenize.
 */

/** Thrown for values Psych's safe_load refuses (GitLab shows the message as the config error). */
export class DisallowedClass extends Error {
  constructor(className: string) {
    super(`Tried to load unspecified class: ${className}`);
  }
}

const TIME = /^-?\d{4}-\d{1,2}-\d{1,2}(?:[Tt]|\s+)\d{1,2}:\d\d:\d\d(?:\.\d*)?(?:\s*(?:Z|[-+]\d{1,2}:?(?:\d\d)?))?$/;
const DATE = /^\d{4}-(?:1[012]|0\d|\d)-(?:[12]\d|3[01]|0\d|\d)$/;
const FLOAT = /^(?:[-+]?([0-9][0-9_,]*)?\.[0-9]*([eE][-+][0-9]+)?)$/;
// Psych's INTEGER_LEGACY (the default): commas allowed, a leading 0 means octal.
const INTEGER = /^(?:[-+]?0b[0-1_,]+|[-+]?0[0-7_,]+|[-+]?(?:0|[1-9](?:[0-9]|,[0-9]|_[0-9])*)|[-+]?0x[0-9a-fA-F_,]+)$/;
const STRINGISH = /^[^\d.:-]?[\p{L}_\s!@#$%^&*(){}<>|/\\~;=]+/u;
const SEXAGESIMAL_INT = /^[-+]?[0-9][0-9_]*(:[0-5]?[0-9]){1,2}$/;
const SEXAGESIMAL_FLOAT = /^[-+]?[0-9][0-9_]*(:[0-5]?[0-9]){1,2}\.[0-9_]*$/;

/** Ruby's Integer(): sign, then 0b / 0x / leading-0 octal / decimal. */
function parseInteger(text: string): number {
  const clean = text.replace(/[,_]/g, '');
  const sign = clean.startsWith('-') ? -1 : 1;
  const body = clean.replace(/^[-+]/, '');
  if (/^0b/i.test(body)) return sign * parseInt(body.slice(2), 2);
  if (/^0x/i.test(body)) return sign * parseInt(body.slice(2), 16);
  if (/^0[0-7]+$/.test(body)) return sign * parseInt(body.slice(1), 8);
  return sign * parseInt(body, 10);
}

function sexagesimal(text: string): number {
  const parts = text.split(':');
  return parts.reduce((sum, part, i) => sum + Number(part.replace(/_/g, '')) * 60 ** Math.abs(i - (parts.length - 1)), 0);
}

export function resolvePlainScalar(text: string): unknown {
  if (text === '') return null;
  if (STRINGISH.test(text) || text.includes('\n')) {
    if (text.length > 5 || /^[^ytonf~]/i.test(text)) return text;
    if (text === '~' || /^null$/i.test(text)) return null;
    if (/^(yes|true|on)$/i.test(text)) return true;
    if (/^(no|false|off)$/i.test(text)) return false;
    return text;
  }
  if (TIME.test(text)) throw new DisallowedClass('Time');
  if (DATE.test(text)) throw new DisallowedClass('Date');
  if (/^\+?\.inf$/i.test(text)) return Infinity;
  if (/^-\.inf$/i.test(text)) return -Infinity;
  if (/^\.nan$/i.test(text)) return NaN;
  // Symbols (`:name`) reach GitLab as Symbols and are used through `to_s`.
  if (/^:./.test(text)) return text.replace(/^:(["'])(.*)\1$/, '$2').replace(/^:/, '');
  if (SEXAGESIMAL_INT.test(text) || SEXAGESIMAL_FLOAT.test(text)) return sexagesimal(text);
  if (FLOAT.test(text)) return /^[-+]?\.$/.test(text) ? text : Number(text.replace(/[,_]/g, '').replace(/\.([Ee]|$)/, '$1'));
  if (INTEGER.test(text)) return parseInteger(text);
  return text;
}
