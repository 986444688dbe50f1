import type { Project } from '../../store/projects-repository.js';

export const NULL_SHA = '0000000000000000000000000000000000000000';

export interface RefFacts {
  ref: string;
  tag: boolean;
  sha: string;
  source: string;
}

/**
 * The CI_* variables GitLab predefines for a pipeline that this server can already know:
 * server, project and ref facts. The pipelines and runner issues add pipeline and job ids.
 */
export function predefinedVariables(externalUrl: string, project: Project, facts: RefFacts): Record<string, string> {
  const url = new URL(externalUrl);
  const namespace = project.fullPath.slice(0, project.fullPath.lastIndexOf('/'));
  const refSlug = facts.ref.toLowerCase().replace(/[^a-z0-9]/g, '-').slice(0, 63).replace(/^-+|-+$/g, '');
  return {
    CI: 'true',
    GITLAB_CI: 'true',
    CI_SERVER_URL: externalUrl,
    CI_SERVER_HOST: url.hostname,
    CI_SERVER_PORT: url.port || (url.protocol === 'https:' ? '443' : '80'),
    CI_SERVER_PROTOCOL: url.protocol.replace(':', ''),
    // Scripts test CI_SERVER_NAME == "GitLab"; Conveyor speaks GitLab's API, so it answers as GitLab.
    CI_SERVER_NAME: 'GitLab',
    CI_API_V4_URL: `${externalUrl}/api/v4`,
    CI_PROJECT_ID: String(project.id),
    CI_PROJECT_NAME: project.path,
    CI_PROJECT_TITLE: project.name,
    CI_PROJECT_PATH: project.fullPath,
    CI_PROJECT_PATH_SLUG: project.fullPath.toLowerCase().replace(/[^a-z0-9]/g, '-'),
    CI_PROJECT_NAMESPACE: namespace,
    CI_PROJECT_ROOT_NAMESPACE: namespace.split('/')[0],
    CI_PROJECT_URL: `${externalUrl}/${project.fullPath}`,
    CI_PROJECT_VISIBILITY: project.visibility,
    CI_DEFAULT_BRANCH: project.defaultBranch ?? 'main',
    CI_CONFIG_PATH: project.ciConfigPath ?? '.gitlab-ci.yml',
    CI_PIPELINE_SOURCE: facts.source,
    CI_COMMIT_SHA: facts.sha,
    CI_COMMIT_SHORT_SHA: facts.sha.slice(0, 8),
    CI_COMMIT_REF_NAME: facts.ref,
    CI_COMMIT_REF_SLUG: refSlug,
    ...(facts.tag ? { CI_COMMIT_TAG: facts.ref } : { CI_COMMIT_BRANCH: facts.ref }),
  };
}
