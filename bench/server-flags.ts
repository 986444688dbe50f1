import { spawnSync } from 'node:child_process';
import fs from 'node:fs';

/** The V8 flags `conveyor` runs with: those on the first line of bin/conveyor.js. */
export function serverNodeFlags(): string[] {
  const shebang = fs.readFileSync(new URL('../../bin/conveyor.js', import.meta.url), 'utf8').split('\n', 1)[0];
  const match = /^#!\/usr\/bin\/env -S node(?<flags>.*)$/.exec(shebang);
  if (!match) throw new Error(`bin/conveyor.js: unexpected first line ${shebang}`);
  return match.groups!.flags.split(' ').filter(Boolean);
}

/**
 * The benchmarks host the server in their own process, so they must measure it under the flags it runs
 * with in production: started without them, a benchmark starts itself again with them and exits as it does.
 */
export function runWithServerNodeFlags(): void {
  const flags = serverNodeFlags();
  if (flags.every((flag) => process.execArgv.includes(flag))) return;
  const child = spawnSync(process.execPath, [...flags, ...process.execArgv, ...process.argv.slice(1)], { stdio: 'inherit' });
  process.exit(child.status ?? 1);
}
