import type { ArtifactAccessibility } from '../../store/job-artifacts-repository.js';
import type { Job } from '../../store/jobs-repository.js';

/**
 * Artifact types and the one file format each may have (GitLab's Ci::JobArtifact TYPE_AND_FORMAT_PAIRS).
 * Report types not listed are stored as `raw` files.
 */
export const ARTIFACT_FORMATS: Readonly<Record<string, 'zip' | 'gzip' | 'raw'>> = {
  archive: 'zip',
  metadata: 'gzip',
  trace: 'raw',
  junit: 'gzip',
  metrics: 'gzip',
  metrics_referee: 'gzip',
  network_referee: 'gzip',
  dotenv: 'gzip',
  cobertura: 'gzip',
  jacoco: 'gzip',
  cluster_applications: 'gzip',
  cyclonedx: 'gzip',
  annotations: 'gzip',
  repository_xray: 'gzip',
  lsif: 'zip',
  scip: 'gzip',
  sast: 'raw',
  secret_detection: 'raw',
  dependency_scanning: 'raw',
  container_scanning: 'raw',
  cluster_image_scanning: 'raw',
  dast: 'raw',
  codequality: 'raw',
  license_scanning: 'raw',
  performance: 'raw',
  browser_performance: 'raw',
  load_performance: 'raw',
  terraform: 'raw',
  requirements: 'raw',
  requirements_v2: 'raw',
  coverage_fuzzing: 'raw',
  api_fuzzing: 'raw',
  accessibility: 'raw',
};

export function artifactFormatOf(type: string): 'zip' | 'gzip' | 'raw' {
  return ARTIFACT_FORMATS[type] ?? 'raw';
}

/** The access level a job's `artifacts:access` (or the older `artifacts:public`) asks for. */
export function accessibilityOf(job: Job): ArtifactAccessibility {
  const spec = job.spec.artifacts;
  if (spec?.access === 'none') return 'none';
  if (spec?.access === 'developer' || spec?.public === false) return 'private';
  return 'public';
}
