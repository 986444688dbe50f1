/** Time from `conveyor up` on an empty folder to a 200 from /-/readiness, and again on a restart. */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { serverNodeFlags } from './server-flags.js';

async function timeStart(data: string, port: number): Promise<number> {
  const started = performance.now();
  const child = spawn(process.execPath, [...serverNodeFlags(), 'bin/conveyor.cjs', 'up', '--data', data, '--port', String(port), '--log-level', 'warn'], { stdio: 'ignore' });
  try {
    for (;;) {
      try {
        if ((await fetch(`http://127.0.0.1:${port}/-/readiness`)).status === 200) return performance.now() - started;
      } catch {
        // not up yet
      }
      await new Promise((r) => setTimeout(r, 10));
    }
  } finally {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  }
}

const runs = Number(process.argv[2] ?? 5);
const cold: number[] = [];
const warm: number[] = [];
for (let i = 0; i < runs; i++) {
  const data = fs.mkdtempSync(path.join(os.tmpdir(), 'conveyor-startup-'));
  const port = 20000 + Math.floor(Math.random() * 20000);
  cold.push(await timeStart(data, port));
  warm.push(await timeStart(data, port));
  fs.rmSync(data, { recursive: true, force: true });
}
const fmt = (xs: number[]) => `min ${Math.min(...xs).toFixed(0)} ms, median ${xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)].toFixed(0)} ms, max ${Math.max(...xs).toFixed(0)} ms`;
console.log(`conveyor up, empty folder: ${fmt(cold)}`);
console.log(`conveyor up, restart:      ${fmt(warm)}`);
