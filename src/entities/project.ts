import type { Namespace } from '../store/namespaces-repository.js';
import type { Project } from '../store/projects-repository.js';
import type { User } from '../store/users-repository.js';
import { namespaceBasicEntity } from './namespace.js';
import type { RenderContext } from './render-context.js';
import { userBasicEntity } from './user.js';

export interface ProjectView {
  project: Project;
  /** The project's namespace and its ancestors, nearest first (for `name_with_namespace`). */
  namespaceChain: Namespace[];
  owner: User | null;
  /** The caller's own membership levels, for `permissions` on single-project replies. */
  permissions?: { projectAccess: number | null; groupAccess: number | null };
  /** GitLab's ProjectStatistics, when asked for (`statistics=true`) by a Reporter or more. */
  statistics?: object;
}

export function nameWithNamespace(view: ProjectView): string {
  const names = [...view.namespaceChain].reverse().map((ns) => ns.name);
  return [...names, view.project.name].join(' / ');
}

/** API::Entities::ProjectIdentity: the project of each job in a runner's job list. */
export function projectIdentityEntity(view: ProjectView) {
  const { project } = view;
  return {
    id: project.id,
    description: project.description,
    name: project.name,
    name_with_namespace: nameWithNamespace(view),
    path: project.path,
    path_with_namespace: project.fullPath,
    created_at: project.createdAt,
  };
}

/** API::Entities::BasicProjectDetails: what `simple=true` lists show. */
export function projectSimpleEntity(view: ProjectView, rc: RenderContext) {
  const { project } = view;
  const webUrl = `${rc.externalUrl}/${project.fullPath}`;
  const namespace = view.namespaceChain[0];
  // BasicProjectDetails extends ProjectIdentity: the same first keys, in the same order.
  return Object.assign(projectIdentityEntity(view), {
    default_branch: project.defaultBranch,
    tag_list: [],
    topics: [],
    ssh_url_to_repo: null,
    http_url_to_repo: `${webUrl}.git`,
    web_url: webUrl,
    readme_url: null,
    forks_count: 0,
    avatar_url: null,
    star_count: 0,
    last_activity_at: project.lastActivityAt,
    namespace: namespace ? namespaceBasicEntity(namespace, rc) : null,
  });
}

/** API::Entities::Project, the full shape. */
export function projectEntity(view: ProjectView, rc: RenderContext) {
  const { project } = view;
  const simple = projectSimpleEntity(view, rc);
  const api = `${rc.externalUrl}/api/v4/projects/${project.id}`;
  // Object.assign, not `{...simple, ...}`: V8 (Node 20) takes ~200 µs to build a spread followed by
  // this many literal keys, and ~4 µs this way (bench/api.ts shows it on every list page).
  const entity: Record<string, unknown> = Object.assign({}, simple, {
    container_registry_image_prefix: null,
    _links: {
      self: api,
      issues: `${api}/issues`,
      merge_requests: `${api}/merge_requests`,
      repo_branches: `${api}/repository/branches`,
      labels: `${api}/labels`,
      events: `${api}/events`,
      members: `${api}/members`,
      cluster_agents: `${api}/cluster_agents`,
    },
    packages_enabled: false,
    empty_repo: project.defaultBranch === null,
    archived: false,
    visibility: project.visibility,
    resolve_outdated_diff_discussions: false,
    repository_object_format: 'sha1',
    issues_enabled: false,
    merge_requests_enabled: false,
    wiki_enabled: false,
    jobs_enabled: true,
    snippets_enabled: false,
    container_registry_enabled: false,
    service_desk_enabled: false,
    can_create_merge_request_in: false,
    issues_access_level: 'disabled',
    repository_access_level: 'enabled',
    merge_requests_access_level: 'disabled',
    forking_access_level: 'disabled',
    wiki_access_level: 'disabled',
    builds_access_level: 'enabled',
    snippets_access_level: 'disabled',
    pages_access_level: 'disabled',
    analytics_access_level: 'disabled',
    container_registry_access_level: 'disabled',
    releases_access_level: 'disabled',
    environments_access_level: 'disabled',
    emails_disabled: false,
    emails_enabled: true,
    shared_runners_enabled: true,
    lfs_enabled: false,
    creator_id: project.creatorId,
    import_status: 'none',
    open_issues_count: 0,
    description_html: '',
    updated_at: project.updatedAt,
    ci_default_git_depth: 20,
    ci_forward_deployment_enabled: true,
    ci_job_token_scope_enabled: false,
    ci_separated_caches: true,
    build_git_strategy: 'fetch',
    keep_latest_artifact: true,
    restrict_user_defined_variables: false,
    group_runners_enabled: true,
    auto_cancel_pending_pipelines: project.autoCancelPendingPipelines ? 'enabled' : 'disabled',
    build_timeout: project.buildTimeout,
    auto_devops_enabled: false,
    ci_config_path: project.ciConfigPath,
    public_jobs: project.publicJobs,
    shared_with_groups: [],
    only_allow_merge_if_pipeline_succeeds: false,
    request_access_enabled: false,
  });
  if (view.statistics) entity.statistics = view.statistics;
  if (view.owner) entity.owner = userBasicEntity(view.owner, rc);
  if (view.permissions) {
    const level = (value: number | null) => (value === null ? null : { access_level: value, notification_level: 3 });
    entity.permissions = { project_access: level(view.permissions.projectAccess), group_access: level(view.permissions.groupAccess) };
  }
  return entity;
}
