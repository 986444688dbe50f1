import type { FastifySchemaValidationError } from 'fastify/types/schema.js';

/** `/job_variables_attributes/0/key` → `job_variables_attributes[0][key]`, as Grape names nested params. */
function paramName(instancePath: string, extra?: string): string {
  const parts = instancePath.split('/').filter(Boolean).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (extra) parts.push(extra);
  if (parts.length === 0) return 'body';
  return parts[0] + parts.slice(1).map((p) => `[${p}]`).join('');
}

/** Turns an Ajv error into Grape's wording: "<param> is missing / is invalid / does not have a valid value". */
export function grapeMessage(error: FastifySchemaValidationError): string {
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required':
      return `${paramName(error.instancePath, String(params.missingProperty))} is missing`;
    case 'enum':
    case 'const':
    case 'anyOf':
      return `${paramName(error.instancePath)} does not have a valid value`;
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return `${paramName(error.instancePath)} does not have a valid value`;
    case 'maxLength':
      return `${paramName(error.instancePath)} is too long`;
    case 'minLength':
      return `${paramName(error.instancePath)} is empty`;
    default:
      return `${paramName(error.instancePath)} is invalid`;
  }
}
