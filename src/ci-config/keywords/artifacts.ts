import { isHash } from '../deep-merge.js';
import { isNever, parseDuration } from '../duration.js';
import type { Problems } from '../problems.js';
import type { ArtifactsSpec } from '../types.js';
import { checkKeys } from './shape.js';

const KEYS = ['name', 'untracked', 'paths', 'reports', 'when', 'expire_in', 'expose_as', 'exclude', 'public', 'access'];
const WHEN = ['on_success', 'on_failure', 'always'];
const ACCESS = ['none', 'developer', 'all'];
const EXPOSE_AS = /^\w[-\w ]*$/;
const REPORTS = [
  'junit', 'codequality', 'sast', 'secret_detection', 'dependency_scanning', 'container_scanning', 'dast', 'license_scanning',
  'performance', 'browser_performance', 'load_performance', 'metrics', 'requirements', 'coverage_report', 'cyclonedx', 'terraform',
  'accessibility', 'dotenv', 'cobertura', 'api_fuzzing', 'coverage_fuzzing', 'cluster_image_scanning', 'annotations', 'repository_xray',
];

const isStrings = (v: unknown): v is string[] => Array.isArray(v) && v.every((s) => typeof s === 'string');
const present = (v: unknown) => v !== undefined && v !== null;

/**
 * `artifacts:` — Entry::Artifacts' validations in its order; attribute errors read
 * "jobs:x:artifacts <attribute> ...". `expire_in` is a duration string or `never`.
 */
export function parseArtifacts(value: unknown, path: string, problems: Problems): ArtifactsSpec | null {
  if (value === undefined || value === null) return null;
  if (!isHash(value)) {
    problems.error(path, 'config should be a hash');
    return null;
  }
  checkKeys(value, KEYS, path, problems);
  const exposed = present(value.expose_as);
  if (exposed && (!present(value.paths) || (Array.isArray(value.paths) && value.paths.length === 0))) problems.error(`${path} paths`, "can't be blank");
  const exclusive = Object.keys(value).filter((k) => k === 'access' || k === 'public');
  if (exclusive.length > 1) problems.error(path, `config these keys cannot be used together: ${exclusive.join(', ')}`);
  if (present(value.name) && typeof value.name !== 'string') problems.error(`${path} name`, 'should be a string');
  if (present(value.public) && typeof value.public !== 'boolean') problems.error(`${path} public`, 'should be a boolean value');
  if (present(value.untracked) && typeof value.untracked !== 'boolean') problems.error(`${path} untracked`, 'should be a boolean value');
  if (present(value.paths) && !isStrings(value.paths)) problems.error(`${path} paths`, 'should be an array of strings');
  if (exposed && isStrings(value.paths) && value.paths.some((p) => p.includes('*'))) problems.error(`${path} paths`, "can't contain '*' when used with 'expose_as'");
  if (exposed) {
    if (typeof value.expose_as !== 'string') problems.error(`${path} expose as`, 'should be a string');
    else if (value.expose_as.length > 100) problems.error(`${path} expose as`, 'is too long (maximum is 100 characters)');
    if (!EXPOSE_AS.test(String(value.expose_as))) problems.error(`${path} expose as`, "can contain only letters, digits, '-', '_' and spaces");
  }
  if (present(value.exclude) && !isStrings(value.exclude)) problems.error(`${path} exclude`, 'should be an array of strings');
  if (present(value.reports) && !isHash(value.reports)) problems.error(`${path} reports`, 'should be a hash');
  if (present(value.when)) {
    if (typeof value.when !== 'string') problems.error(`${path} when`, 'should be a string');
    if (!WHEN.includes(value.when as string)) problems.error(`${path} when`, `should be one of: ${WHEN.join(', ')}`);
  }
  // Gitlab::Ci::Build::DurationParser: `never`, or what ChronicDuration parses; only strings.
  if (present(value.expire_in) && (typeof value.expire_in !== 'string' || (!isNever(value.expire_in) && parseDuration(value.expire_in) === null))) {
    problems.error(`${path} expire in`, 'should be a duration');
  }
  if (present(value.access)) {
    if (typeof value.access !== 'string') problems.error(`${path} access`, 'should be a string');
    if (!ACCESS.includes(value.access as string)) problems.error(`${path} access`, `should be one of: ${ACCESS.join(', ')}`);
  }

  const spec: ArtifactsSpec = {};
  if (typeof value.name === 'string') spec.name = value.name;
  if (isStrings(value.paths)) spec.paths = value.paths;
  if (isStrings(value.exclude)) spec.exclude = value.exclude;
  if (typeof value.untracked === 'boolean') spec.untracked = value.untracked;
  if (typeof value.when === 'string' && WHEN.includes(value.when)) spec.when = value.when as ArtifactsSpec['when'];
  if (typeof value.expire_in === 'string') spec.expire_in = value.expire_in;
  if (typeof value.expose_as === 'string') spec.expose_as = value.expose_as;
  if (typeof value.public === 'boolean') spec.public = value.public;
  if (typeof value.access === 'string' && ACCESS.includes(value.access)) spec.access = value.access as ArtifactsSpec['access'];
  if (isHash(value.reports)) spec.reports = parseReports(value.reports, `${path}:reports`, problems);
  return spec;
}

/** The Reports entry: known report types, each a path or list of paths (coverage_report a hash). */
function parseReports(reports: Record<string, unknown>, path: string, problems: Problems): NonNullable<ArtifactsSpec['reports']> {
  checkKeys(reports, REPORTS, path, problems);
  const out: NonNullable<ArtifactsSpec['reports']> = {};
  for (const [type, files] of Object.entries(reports)) {
    if (isHash(files)) out[type] = files;
    else if (typeof files === 'string' || isStrings(files)) out[type] = typeof files === 'string' ? [files] : files;
    else problems.error(`${path} ${type}`, 'should be an array of strings or a string');
  }
  return out;
}
