#!/usr/bin/env -S node --max-semi-space-size=32
// The flag and the thread pool: see docs/operations.md "Memory and threads". Benchmarks read both from
// this file (bench/server-flags.ts). CommonJS because libuv sizes its pool when the pool first starts,
// which loading an ES module does: the variable must be set before anything is imported.
process.env.UV_THREADPOOL_SIZE ??= '8';
import('../dist/src/cli/main.js');
