/** GitLab's member access levels (Gitlab::Access). */
export const AccessLevel = {
  NO_ACCESS: 0,
  MINIMAL_ACCESS: 5,
  GUEST: 10,
  PLANNER: 15,
  REPORTER: 20,
  DEVELOPER: 30,
  MAINTAINER: 40,
  OWNER: 50,
} as const;

/** The levels a membership may be granted through the members API. */
export const GRANTABLE_LEVELS: readonly number[] = [10, 15, 20, 30, 40, 50];

export function accessLevelName(level: number): string {
  switch (level) {
    case 10: return 'Guest';
    case 15: return 'Planner';
    case 20: return 'Reporter';
    case 30: return 'Developer';
    case 40: return 'Maintainer';
    case 50: return 'Owner';
    default: return 'No access';
  }
}
