import { isHash } from '../deep-merge.js';
import { isNever, parseDuration } from '../duration.js';
import type { Problems } from '../problems.js';
import type { ArtifactsSpec } from '../types.js';
import { checkKeys, stringList } from './shape.js';

const KEYS = ['name', 'untracked', 'paths', 'reports', 'when', 'expire_in', 'expose_as', 'exclude', 'public', 'access'];
const WHEN = ['on_success', 'on_failure', 'always'];
const ACCESS = ['none', 'developer', 'all'];
const REPORTS = [
  'junit', 'codequality', 'sast', 'secret_detection', 'dependency_scanning', 'container_scanning', 'dast', 'license_scanning',
  'performance', 'browser_performance', 'load_performance', 'metrics', 'requirements', 'coverage_report', 'cyclonedx', 'terraform',
  'accessibility', 'dotenv', 'cobertura', 'api_fuzzing', 'coverage_fuzzing', 'cluster_image_scanning', 'annotations', 'repository_xray',
];

/** `artifacts:` with GitLab's keys; `expire_in` must be a duration or `never`. */
export function parseArtifacts(value: unknown, path: string, problems: Problems): ArtifactsSpec | null {
  if (value === undefined || value === null) return null;
  if (!isHash(value)) {
    problems.error(path, 'config should be a hash');
    return null;
  }
  checkKeys(value, KEYS, path, problems);
  const spec: ArtifactsSpec = {};
  if (value.name !== undefined) spec.name = String(value.name);
  if (value.paths !== undefined) spec.paths = stringList(value.paths, `${path} paths`, problems, 'should be an array of strings');
  if (value.exclude !== undefined) spec.exclude = stringList(value.exclude, `${path} exclude`, problems, 'should be an array of strings');
  if (value.untracked !== undefined) {
    if (typeof value.untracked !== 'boolean') problems.error(`${path} untracked`, 'should be a boolean value');
    else spec.untracked = value.untracked;
  }
  if (value.when !== undefined) {
    if (typeof value.when !== 'string' || !WHEN.includes(value.when)) problems.error(`${path} when`, 'should be on_success, on_failure or always');
    else spec.when = value.when as ArtifactsSpec['when'];
  }
  if (value.expire_in !== undefined) {
    const text = String(value.expire_in);
    if (!isNever(text) && parseDuration(text) === null) problems.error(`${path} expire in`, 'should be a duration');
    else spec.expire_in = text;
  }
  if (value.expose_as !== undefined) spec.expose_as = String(value.expose_as);
  if (value.public !== undefined) {
    if (typeof value.public !== 'boolean') problems.error(`${path} public`, 'should be a boolean value');
    else spec.public = value.public;
  }
  if (value.access !== undefined) {
    if (typeof value.access !== 'string' || !ACCESS.includes(value.access)) problems.error(`${path} access`, 'should be one of: none, developer, all');
    else spec.access = value.access as ArtifactsSpec['access'];
  }
  if (value.public !== undefined && value.access !== undefined) problems.error(path, 'config can only use one of: public, access');
  if (value.reports !== undefined) {
    if (!isHash(value.reports)) problems.error(`${path}:reports`, 'config should be a hash');
    else {
      checkKeys(value.reports, REPORTS, `${path}:reports`, problems);
      spec.reports = {};
      for (const [type, files] of Object.entries(value.reports)) {
        spec.reports[type] = isHash(files) ? files : stringList(files, `${path}:reports ${type}`, problems, 'should be an array of strings or a string');
      }
    }
  }
  return spec;
}
