import type { Namespace } from '../../store/namespaces-repository.js';

export const VISIBILITIES = ['private', 'internal', 'public'] as const;
export type Visibility = (typeof VISIBILITIES)[number];

const rank = (v: string) => Math.max(0, VISIBILITIES.indexOf(v as Visibility));

/** A project or subgroup may not be more visible than the group that holds it. */
export function checkVisibilityAllowed(visibility: string, parent: Namespace | null): string | null {
  if (!parent || parent.kind === 'user') return null;
  return rank(visibility) > rank(parent.visibility) ? `${visibility} is not allowed in a ${parent.visibility} group.` : null;
}
