import type { ProtectedBranch } from '../store/protected-branches-repository.js';

const LEVEL_DESCRIPTIONS: Record<number, string> = { 0: 'No one', 30: 'Developers + Maintainers', 40: 'Maintainers', 60: 'Admins' };

/**
 * API::Entities::ProtectedBranch. Conveyor keeps one push and one merge level per rule, so each list
 * has one entry and borrows the rule's id (GitLab's ids come from separate access-level tables).
 */
export function protectedBranchEntity(branch: ProtectedBranch) {
  const level = (accessLevel: number) => ({
    id: branch.id,
    access_level: accessLevel,
    access_level_description: LEVEL_DESCRIPTIONS[accessLevel] ?? 'No one',
    user_id: null,
    group_id: null,
  });
  return {
    id: branch.id,
    name: branch.name,
    push_access_levels: [level(branch.pushAccessLevel)],
    merge_access_levels: [level(branch.mergeAccessLevel)],
    allow_force_push: branch.allowForcePush,
    code_owner_approval_required: false,
  };
}
