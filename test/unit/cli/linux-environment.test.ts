import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expandBraces, globSync } from '../../../src/os/linux/config-glob.js';
import { LinuxConfigEnvironment, compressIpv6 } from '../../../src/os/linux/config-environment.js';

test('brace expansion as csh/GLOB_BRACE', () => {
  assert.deepEqual(expandBraces('a{b,c}d'), ['abd', 'acd']);
  assert.deepEqual(expandBraces('{x,y{1,2}}.conf'), ['x.conf', 'y1.conf', 'y2.conf']);
  assert.deepEqual(expandBraces('a{}b'), ['a{}b']);
  assert.deepEqual(expandBraces('a{b'), ['a{b']);
});

test('glob: wildcards, classes, hidden files, order per brace alternative', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kts-glob-'));
  try {
    for (const f of ['b.conf', 'a.conf', '.hidden.conf', 'c.txt', 'x1', 'x2']) writeFileSync(join(dir, f), '');
    mkdirSync(join(dir, 'sub'));
    writeFileSync(join(dir, 'sub', 'z.conf'), '');
    assert.deepEqual(globSync(`${dir}/*.conf`), [`${dir}/a.conf`, `${dir}/b.conf`]);
    assert.deepEqual(globSync(`${dir}/.*.conf`), [`${dir}/.hidden.conf`]);
    assert.deepEqual(globSync(`${dir}/x[!1]`), [`${dir}/x2`]);
    assert.deepEqual(globSync(`${dir}/x?`), [`${dir}/x1`, `${dir}/x2`]);
    assert.deepEqual(globSync(`${dir}/{c.txt,*.conf}`), [`${dir}/c.txt`, `${dir}/a.conf`, `${dir}/b.conf`]);
    assert.deepEqual(globSync(`${dir}/*/z.conf`), [`${dir}/sub/z.conf`]);
    assert.deepEqual(globSync(`${dir}/missing.conf`), []);
    assert.deepEqual(globSync(`${dir}/a.conf`), [`${dir}/a.conf`]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('stat, lstat, access and files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kts-env-'));
  try {
    const env = new LinuxConfigEnvironment();
    writeFileSync(join(dir, 's.sh'), '#!/bin/sh\n', { mode: 0o750 });
    symlinkSync(join(dir, 's.sh'), join(dir, 'link'));
    assert.equal(env.readFile(join(dir, 's.sh')), '#!/bin/sh\n');
    assert.equal(env.readFile(join(dir, 'none')), undefined);
    assert.equal(env.stat(join(dir, 'link'))?.isFile, true);
    assert.equal(env.lstat(join(dir, 'link'))?.isSymlink, true);
    assert.equal(env.stat(join(dir, 's.sh'))?.mode, 0o750);
    assert.equal(env.isExecutable(join(dir, 's.sh')), true);
    assert.equal(env.stat(join(dir, 'none')), undefined);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('users, groups, interfaces, random', () => {
  const env = new LinuxConfigEnvironment();
  assert.deepEqual(env.user('root'), { name: 'root', uid: 0, gid: 0 });
  assert.equal(env.user('0')?.name, 'root');
  assert.equal(env.user('no-such-user-kts'), undefined);
  assert.equal(env.group('root')?.gid, 0);
  const lo = env.interfaces().get('lo');
  assert.ok(lo, 'lo exists in every namespace');
  assert.equal(lo.type, 772);
  assert.equal(lo.flags & 0x8, 0x8);
  assert.ok(lo.index >= 1);
  const r = env.random();
  assert.ok(Number.isInteger(r) && r >= 0 && r <= 32767);
});

test('IPv6 text compression', () => {
  assert.equal(compressIpv6(['fe80', '0', '0', '0', '0', '0', '0', '1']), 'fe80::1');
  assert.equal(compressIpv6(['2001', 'db8', '0', '1', '0', '0', '0', '1']), '2001:db8:0:1::1');
  assert.equal(compressIpv6(['0', '0', '0', '0', '0', '0', '0', '0']), '::');
});
