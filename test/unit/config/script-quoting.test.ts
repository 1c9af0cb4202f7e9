/**
 * vrrp_script `script` values are split into argv exactly as keepalived 2.2.7 split them: the
 * whole config pipeline (reader, structure, VRRP domain) against the argv keepalived's scripts
 * received (fixtures/script-argv-keepalived.ts, with how they were recorded).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatDiagnostic, shownByConfigTest } from '../../../src/config/diagnostics.js';
import { loadConfig } from '../../../src/config/pipeline.js';
import { parseScriptValue, scriptAndUser } from '../../../src/config/scripts.js';
import { FakeConfigEnvironment } from '../../support/config-fake-env.js';
import { KEEPALIVED_SCRIPT_ARGV } from './fixtures/script-argv-keepalived.js';

function argvOf(value: string): { argv: readonly string[] | null; messages: string[] } {
  const text = [
    'vrrp_script chk {', `  script ${value}`, '  interval 30', '  user root', '}',
    'vrrp_instance VI_1 {', '  interface eth0', '  virtual_router_id 51', '  track_script {', '    chk', '  }',
    '  virtual_ipaddress {', '    192.0.2.100/24', '  }', '}', '',
  ].join('\n');
  const env = new FakeConfigEnvironment({ files: { 'k.conf': text, '/tmp/kx/argv.sh': '' }, cwd: '/work', interfaces: ['eth0'] });
  const r = loadConfig('k.conf', env);
  const script = r.model.vrrp?.scripts.find((s) => s.name === 'chk');
  return { argv: script ? script.script.command.argv : null, messages: r.diagnostics.list.map(formatDiagnostic) };
}

for (const { script, argv } of KEEPALIVED_SCRIPT_ARGV) {
  test(`script ${JSON.stringify(script)} -> ${JSON.stringify(argv)} (keepalived 2.2.7)`, () => {
    const got = argvOf(script);
    assert.deepEqual(got.argv, argv, got.messages.join('\n'));
  });
}

test('a quote left open in the command is keepalived\'s error, and the script is removed', () => {
  const got = argvOf(`"/tmp/kx/argv.sh r12 'a\\\\'b"`);
  assert.equal(got.argv, null);
  assert.ok(got.messages.some((m) => m.includes("String '/tmp/kx/argv.sh r12 'a\\'b': missing terminating '")), got.messages.join('\n'));
  assert.ok(got.messages.some((m) => m.includes('No script set for vrrp_script chk - removing')), got.messages.join('\n'));
});

test('the text after a quoted command is returned as the rest (a notify\'s user and group)', () => {
  const v = parseScriptValue(`"/x.sh 'a b'" nobody nogroup`);
  assert.deepEqual(v, { ok: true, command: { argv: ['/x.sh', 'a b'] }, rest: 'nobody nogroup', restWords: ['nobody', 'nogroup'] });
  assert.deepEqual(parseScriptValue('"/x.sh'), { ok: false, message: `String '"/x.sh': missing terminating "` });
});

test('notify values follow the same rules; the words after the command are its user (keepalived 2.2.7)', () => {
  // recorded like the fixtures: `notify_backup "/tmp/kx/argv.sh n1 'a b' c\\ d x\ty" nobody` ran
  // execve("/tmp/kx/argv.sh", ["/tmp/kx/argv.sh", "n1", "a b", "c d", "x", "y"]) as uid 65534, and
  // `notify /tmp/kx/argv.sh n2 a b` logged "Script user 'n2' does not exist" (the 2nd word is the user)
  const n1 = scriptAndUser([], `"/tmp/kx/argv.sh n1 'a b' c\\\\ d x\\ty" nobody`);
  assert.deepEqual(n1, { command: { argv: ['/tmp/kx/argv.sh', 'n1', 'a b', 'c d', 'x', 'y'] }, userWords: ['nobody'] });
  const n2 = scriptAndUser([], '/tmp/kx/argv.sh n2 a b');
  assert.deepEqual(n2, { command: { argv: ['/tmp/kx/argv.sh'] }, userWords: ['n2', 'a', 'b'] });
});

test("a user that does not resolve names the whole command, every word quoted (keepalived 2.2.7)", () => {
  const text = ['vrrp_script s2 {', '  script "/tmp/kx/argv.sh p0"', '  user nobody:daemon', '}', ''].join('\n');
  const env = new FakeConfigEnvironment({ files: { 'k.conf': text, '/tmp/kx/argv.sh': '' }, cwd: '/work' });
  const lines = loadConfig('k.conf', env).diagnostics.list.map(formatDiagnostic);
  assert.ok(lines.includes("(k.conf: Line 3) Unable to set uid/gid for script '/tmp/kx/argv.sh' 'p0'"), lines.join('\n'));
});

test('a notify whose user does not exist is dropped with keepalived 2.2.7\'s daemon lines (none under -t)', () => {
  const text = [
    'vrrp_instance VI_1 {', '  interface eth0', '  virtual_router_id 51', '  notify "/tmp/kx/argv.sh n5 x" baduser',
    '  virtual_ipaddress {', '    192.0.2.100/24', '  }', '}', '',
  ].join('\n');
  const env = new FakeConfigEnvironment({ files: { 'k.conf': text, '/tmp/kx/argv.sh': '' }, cwd: '/work', interfaces: ['eth0'] });
  const r = loadConfig('k.conf', env);
  const all = r.diagnostics.list.map(formatDiagnostic);
  assert.deepEqual(all, ["Script user 'baduser' does not exist", 'Invalid user/group for notify script /tmp/kx/argv.sh - ignoring']);
  assert.deepEqual(r.diagnostics.list.filter(shownByConfigTest), []);
  assert.equal(r.model.vrrp?.instances[0]?.notify.generic, undefined);
});

test("a first word that leaves a quote open is keepalived 2.2.7's \"String 'LINE': missing terminating '\" (measured with -t)", () => {
  const got = argvOf(`"/tmp/kx/argv.sh a "it's" b"`);
  assert.equal(got.argv, null);
  assert.ok(got.messages.includes(`(k.conf: Line 2) String 'script "/tmp/kx/argv.sh a "it's" b"': missing terminating '`), got.messages.join('\n'));
});
