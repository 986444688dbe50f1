#!/usr/bin/env -S node --max-semi-space-size=32
// The flag: see docs/operations.md "Memory". Benchmarks read it from this line (bench/server-flags.ts).
import '../dist/src/cli/main.js';
