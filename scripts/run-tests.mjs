#!/usr/bin/env node
// Runs the compiled test files of the given tiers (default: unit scenario lab) with node's test runner.
// Tiers: dist/test/<tier>/**/*.test.js. The lab tier needs root and network namespaces; it fails
// (never skips) when it cannot run.
import { readdirSync, statSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const tiers = process.argv.slice(2).length ? process.argv.slice(2) : ['unit', 'scenario', 'lab'];
const files = [];
function walk(dir) {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p);
    else if (name.endsWith('.test.js')) files.push(p);
  }
}
for (const t of tiers) {
  const dir = join('dist', 'test', t);
  if (existsSync(dir)) walk(dir);
}
if (files.length === 0) {
  console.error(`run-tests: no test files found for tiers: ${tiers.join(', ')}`);
  process.exit(1);
}
const args = ['--test', '--test-reporter=spec', ...files];
const r = spawnSync(process.execPath, args, { stdio: 'inherit' });
process.exit(r.status ?? 1);
