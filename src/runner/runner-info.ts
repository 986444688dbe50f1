import { readFileSync } from 'node:fs';

function packageVersion(): string {
  // Read at run time rather than imported: the runner may not import the server's version module.
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version?: string };
    return pkg.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

export const RUNNER_NAME = 'conveyor-runner';
export const RUNNER_VERSION = packageVersion();
export const RUNNER_REVISION = 'conveyor';

/** Go's GOARCH words, which is what GitLab shows for a runner's architecture. */
export function goArch(arch: string = process.arch): string {
  const map: Record<string, string> = { x64: 'amd64', ia32: '386', arm: 'arm', arm64: 'arm64', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64' };
  return map[arch] ?? arch;
}

export const FEATURES = {
  variables: true,
  image: false,
  services: false,
  artifacts: true,
  cache: false,
  shared: true,
  upload_multiple_artifacts: true,
  upload_raw_artifacts: true,
  session: false,
  terminal: false,
  refspecs: true,
  masking: true,
  proxy: false,
  raw_variables: true,
  artifacts_exclude: true,
  multi_build_steps: true,
  trace_reset: true,
  trace_checksum: true,
  trace_size: true,
  vault_secrets: false,
  cancelable: true,
  return_exit_code: true,
  service_variables: false,
  cancel_gracefully: true,
  two_phase_job_commit: false,
  job_inputs: false,
  native_steps_integration: false,
} as const;

export interface RunnerInfo {
  name: string;
  version: string;
  revision: string;
  platform: string;
  architecture: string;
  executor: string;
  shell: string;
  features: typeof FEATURES;
}

export function runnerInfo(shell = 'bash'): RunnerInfo {
  return {
    name: RUNNER_NAME,
    version: RUNNER_VERSION,
    revision: RUNNER_REVISION,
    platform: process.platform,
    architecture: goArch(),
    executor: 'shell',
    shell,
    features: FEATURES,
  };
}

export function userAgent(): string {
  return `${RUNNER_NAME} ${RUNNER_VERSION} (${RUNNER_REVISION}; node ${process.version}; ${process.platform}/${goArch()})`;
}
