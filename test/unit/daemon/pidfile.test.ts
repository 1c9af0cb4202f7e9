import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { acquirePidfile, releasePidfile, parsePid, PidfileError, nodePidfileHost } from '../../../src/daemon/pidfile.js';
import { FakePidfileHost } from './fakes.js';

const P = '/run/keepalived.pid';

function code(fn: () => void): string {
  try {
    fn();
    return 'ok';
  } catch (e) {
    assert.ok(e instanceof PidfileError);
    return e.code;
  }
}

test('fresh pidfile is written as "PID\\n" and removed on release', () => {
  const host = new FakePidfileHost();
  acquirePidfile(host, P, 1234);
  assert.equal(host.files.get(P), '1234\n');
  releasePidfile(host, P, 1234);
  assert.equal(host.files.has(P), false);
});

test('a live holder refuses the start ("daemon is already running")', () => {
  const host = new FakePidfileHost();
  host.files.set(P, '99\n');
  host.alive.add(99);
  assert.equal(code(() => acquirePidfile(host, P, 1234)), 'PIDFILE_RUNNING');
  assert.equal(host.files.get(P), '99\n');
});

test('stale and garbage pidfiles are replaced', () => {
  for (const content of ['99\n', 'garbage', '', '-5']) {
    const host = new FakePidfileHost();
    host.files.set(P, content);
    acquirePidfile(host, P, 1234);
    assert.equal(host.files.get(P), '1234\n', `content ${JSON.stringify(content)}`);
  }
});

test('our own pid in the pidfile is fine', () => {
  const host = new FakePidfileHost();
  host.files.set(P, '1234\n');
  acquirePidfile(host, P, 1234);
  assert.equal(host.files.get(P), '1234\n');
});

test('race: another daemon takes over the stale file between our checks -> refused', () => {
  const host = new FakePidfileHost();
  host.files.set(P, '99\n');
  let raced = false;
  host.onConflict = () => {
    if (raced) return;
    raced = true;
    // the other starter removes the stale file and writes its own pid before we re-read
    host.files.set(P, '555\n');
    host.alive.add(555);
  };
  assert.equal(code(() => acquirePidfile(host, P, 1234)), 'PIDFILE_RUNNING');
  assert.equal(host.files.get(P), '555\n');
});

test('release never removes another process pidfile', () => {
  const host = new FakePidfileHost();
  host.files.set(P, '555\n');
  releasePidfile(host, P, 1234);
  assert.equal(host.files.get(P), '555\n');
});

test('parsePid', () => {
  assert.equal(parsePid(' 42\n'), 42);
  assert.equal(parsePid('0'), undefined);
  assert.equal(parsePid('4x'), undefined);
  assert.equal(parsePid(undefined), undefined);
});

test('real filesystem: exclusive create, stale takeover, no temp files left', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kts-pid-'));
  try {
    const path = join(dir, 'sub', 'k.pid');
    acquirePidfile(nodePidfileHost, path, process.pid);
    assert.equal(readFileSync(path, 'utf8'), `${process.pid}\n`);
    // a second daemon (another pid) must be refused while we live
    assert.equal(code(() => acquirePidfile(nodePidfileHost, path, process.pid + 1)), 'PIDFILE_RUNNING');
    releasePidfile(nodePidfileHost, path, process.pid);
    assert.equal(existsSync(path), false);
    writeFileSync(path, '2147483646\n');
    acquirePidfile(nodePidfileHost, path, process.pid);
    assert.equal(readFileSync(path, 'utf8'), `${process.pid}\n`);
    assert.deepEqual(readdirSync(join(dir, 'sub')), ['k.pid']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
