#!/usr/bin/env node
// Builds the N-API addon in native/ with the node-gyp that npm ships (or one on PATH).
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

if (!existsSync('native/binding.gyp')) {
  console.log('build-native: no native/binding.gyp yet, nothing to build');
  process.exit(0);
}
const gyp = process.env.npm_config_node_gyp;
const [cmd, args] = gyp ? [process.execPath, [gyp, 'rebuild']] : ['node-gyp', ['rebuild']];
const r = spawnSync(cmd, args, { cwd: 'native', stdio: 'inherit' });
if (r.status !== 0) {
  console.error('build-native: node-gyp failed (needs python3, make and g++)');
  process.exit(r.status ?? 1);
}
