import { spawnSync } from 'node:child_process';
import fs from 'node:fs';

const BIN = new URL('../../bin/conveyor.cjs', import.meta.url);

/** The V8 flags `conveyor` runs with (its first line) and the size it gives libuv's thread pool. */
export function serverRuntime(): { nodeFlags: string[]; threadPoolSize: string } {
  const source = fs.readFileSync(BIN, 'utf8');
  const flags = /^#!\/usr\/bin\/env -S node(?<flags>.*)$/m.exec(source.split('\n', 1)[0]);
  const pool = /process\.env\.UV_THREADPOOL_SIZE \?\?= '(?<size>\d+)'/.exec(source);
  if (!flags || !pool) throw new Error('bin/conveyor.cjs: its node flags or thread pool size are not where bench/server-flags.ts looks');
  return { nodeFlags: flags.groups!.flags.split(' ').filter(Boolean), threadPoolSize: pool.groups!.size };
}

export const serverNodeFlags = () => serverRuntime().nodeFlags;

/**
 * The benchmarks host the server in their own process, so they must measure it as it runs in production:
 * started without its flags or thread pool size, a benchmark starts itself again with them and exits as
 * it does.
 */
export function runWithServerNodeFlags(): void {
  const { nodeFlags, threadPoolSize } = serverRuntime();
  if (nodeFlags.every((flag) => process.execArgv.includes(flag)) && process.env.UV_THREADPOOL_SIZE !== undefined) return;
  const child = spawnSync(process.execPath, [...nodeFlags, ...process.execArgv, ...process.argv.slice(1)], {
    stdio: 'inherit',
    env: { ...process.env, UV_THREADPOOL_SIZE: process.env.UV_THREADPOOL_SIZE ?? threadPoolSize },
  });
  process.exit(child.status ?? 1);
}
