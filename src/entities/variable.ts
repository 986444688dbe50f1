import type { CiVariable } from '../store/ci-variables-repository.js';

/** API::Entities::Ci::Variable */
export function variableEntity(v: CiVariable) {
  return {
    variable_type: v.variableType,
    key: v.key,
    value: v.value,
    hidden: false,
    protected: v.protected,
    masked: v.masked,
    raw: v.raw,
    environment_scope: v.environmentScope,
    description: v.description,
  };
}
