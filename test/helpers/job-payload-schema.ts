/**
 * The `POST /jobs/request` 201 body as gitlab-runner decodes it (runner protocol §2), written from the Go
 * types: a field of the wrong JSON type makes the runner drop the whole job, so every known key is typed
 * here. Absent keys and `null` for structs, arrays, ints and bools decode fine in Go; strings may be
 * absent but not numbers, and `run` must be absent or a string.
 */
import assert from 'node:assert/strict';
import { Ajv } from 'ajv';

type Schema = Record<string, unknown>;
const orNull = (schema: Schema): Schema => ({ anyOf: [schema, { type: 'null' }] });
const str: Schema = { type: 'string' };
const int: Schema = { type: 'integer' };
const bool: Schema = { type: 'boolean' };
const strings: Schema = orNull({ type: 'array', items: str });
const object = (properties: Record<string, Schema>, required: string[] = []): Schema => ({ type: 'object', properties, required });

const variable = object({ key: str, value: str, public: bool, masked: bool, file: bool, raw: bool }, ['key', 'value']);
const image = orNull(object({
  name: str, alias: str, command: strings, entrypoint: strings, pull_policy: strings,
  ports: orNull({ type: 'array', items: object({ number: int, protocol: str, name: str }) }),
  variables: orNull({ type: 'array', items: variable }),
}));

const payloadSchema: Schema = object({
  id: { type: 'integer', minimum: 1 },
  token: { type: 'string', minLength: 1 },
  allow_git_fetch: bool,
  job_info: orNull(object({
    id: int, name: str, stage: str, pipeline_id: int, project_id: int, project_name: str, project_full_path: str,
    namespace_id: int, root_namespace_id: int, organization_id: int, user_id: int, scoped_user_id: int,
    instance_id: int, instance_uuid: str, time_in_queue_seconds: { type: 'number' },
    project_jobs_running_on_instance_runners_count: str, queue_size: int, queue_depth: int,
  })),
  git_info: object({
    repo_url: { type: 'string', pattern: '^https?://gitlab-ci-token:[^@]+@' },
    ref: str, sha: { type: 'string', pattern: '^[0-9a-f]{40}$' }, before_sha: { type: 'string', pattern: '^[0-9a-f]{40}$' },
    ref_type: { enum: ['branch', 'tag'] }, refspecs: strings, depth: int, repo_object_format: str, protected: orNull(bool),
  }, ['repo_url', 'ref', 'sha']),
  runner_info: orNull(object({ timeout: int, runner_session_url: orNull(str), uuid: str })),
  variables: { type: 'array', items: variable },
  steps: {
    type: 'array',
    minItems: 1,
    items: object({ name: { enum: ['script', 'after_script', 'release', 'run'] }, script: strings, timeout: int, when: { enum: ['on_success', 'on_failure', 'always'] }, allow_failure: bool }, ['name', 'script']),
  },
  hooks: orNull({ type: 'array', items: object({ name: str, script: strings }) }),
  image,
  services: orNull({ type: 'array', items: image }),
  artifacts: orNull({
    type: 'array',
    items: object({
      name: str, untracked: bool, paths: strings, exclude: strings, when: { enum: ['on_success', 'on_failure', 'always'] },
      expire_in: orNull(str), artifact_type: str, artifact_format: { enum: ['zip', 'gzip', 'raw', 'zipzstd', 'tarzstd'] },
    }),
  }),
  cache: orNull({ type: 'array', items: object({ key: str, untracked: bool, paths: strings, policy: str, when: str, fallback_keys: strings }) }),
  credentials: orNull({ type: 'array', items: object({ type: str, url: str, username: str, password: str }) }),
  dependencies: orNull({
    type: 'array',
    items: object({ id: int, name: str, token: str, artifacts_file: orNull(object({ filename: str, size: int })) }, ['id', 'token']),
  }),
  features: orNull(object({ trace_sections: bool, token_mask_prefixes: strings, failure_reasons: strings })),
  run: str,
}, ['id', 'token', 'git_info', 'variables', 'steps']);

const validate = new Ajv({ allErrors: true, strict: false }).compile(payloadSchema);

export function assertJobPayload(payload: unknown): void {
  if (!validate(payload)) {
    assert.fail(`job payload does not decode as gitlab-runner's spec.Job:\n  ${(validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`).join('\n  ')}`);
  }
  const steps = (payload as { steps: Array<{ name: string }> }).steps;
  assert.equal(steps[0].name, 'script');
}
