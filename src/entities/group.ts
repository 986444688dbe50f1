import type { Namespace } from '../store/namespaces-repository.js';
import { namespaceWebUrl } from './namespace.js';
import type { RenderContext } from './render-context.js';

/** API::Entities::Group. `fullName` is the chain of ancestor names joined as GitLab shows it. */
export function groupEntity(group: Namespace, fullName: string, rc: RenderContext) {
  return {
    id: group.id,
    web_url: namespaceWebUrl(group, rc),
    name: group.name,
    path: group.path,
    description: group.description,
    visibility: group.visibility,
    share_with_group_lock: false,
    require_two_factor_authentication: false,
    two_factor_grace_period: 48,
    project_creation_level: 'developer',
    auto_devops_enabled: null,
    subgroup_creation_level: 'maintainer',
    emails_disabled: false,
    emails_enabled: true,
    mentions_disabled: null,
    lfs_enabled: true,
    default_branch: null,
    default_branch_protection: 2,
    avatar_url: null,
    request_access_enabled: true,
    full_name: fullName,
    full_path: group.fullPath,
    created_at: group.createdAt,
    parent_id: group.parentId,
    organization_id: 1,
    shared_runners_setting: 'enabled',
  };
}
