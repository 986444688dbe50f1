import { loadConfig } from './load.js';
import { planPipeline } from './plan.js';
import type { ConfigFiles, PipelineContext, PlanResult } from './types.js';

export { loadConfig } from './load.js';
export { planPipeline, FILTERED_BY_WORKFLOW, NO_JOBS } from './plan.js';
export { parseDuration, isNever } from './duration.js';
export type * from './types.js';

/** The whole compiler: text in, the pipeline's jobs (or GitLab-style errors, or a workflow filter) out. */
export async function compilePipeline(text: string, files: ConfigFiles, ctx: PipelineContext): Promise<PlanResult> {
  let listing: Promise<string[] | null> | undefined;
  const listOnce = () => (listing ??= files.list ? files.list() : Promise.resolve(null));
  const once: ConfigFiles = { read: (path) => files.read(path), ...(files.list ? { list: async () => (await listOnce()) ?? [] } : {}) };
  const loaded = await loadConfig(text, once, ctx);
  if (loaded.status === 'invalid') return loaded;
  return planPipeline(loaded.config, ctx, await listOnce());
}
