import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatScriptForLog, isPathSecureForRoot, resolveScriptPath, resolveUser, scriptAndUser, scriptCommand, ScriptContext } from '../../../src/config/scripts.js';
import { fakeEnv } from './fake-env.js';

test('script quoting rules (synthetic nodes: the reader\'s first token is the command)', () => {
  assert.deepEqual(scriptCommand(['/x.sh "a b" c'], undefined).command?.argv, ['/x.sh', 'a b', 'c']);
  assert.deepEqual(scriptCommand(["/x.sh 'a\\\\b'"], undefined).command?.argv, ['/x.sh', 'a\\b']);
  assert.equal(scriptCommand([''], undefined).command, undefined);
  assert.deepEqual(scriptAndUser(['/x.sh a', 'nobody', 'nogroup'], undefined), { command: { argv: ['/x.sh', 'a'] }, userWords: ['nobody', 'nogroup'] });
  assert.equal(formatScriptForLog({ argv: ['/x.sh', 'vs1'] }), "'/x.sh' 'vs1'");
});

test('PATH resolution and default user', () => {
  const env = fakeEnv({ exec: ['/bin/true'] });
  assert.deepEqual(resolveScriptPath(env, 'true'), { status: 'ok', path: '/bin/true' });
  assert.equal(resolveScriptPath(env, '/nope').status, 'not-found');
  let missing = 0;
  const secure = new ScriptContext(env, { scriptUser: undefined, enableScriptSecurity: true }, () => missing++);
  assert.equal(secure.defaultUser(), undefined);
  assert.equal(missing, 1);
  const plain = new ScriptContext(env, { scriptUser: undefined, enableScriptSecurity: false }, () => missing++);
  assert.equal(plain.defaultUser()?.uid, 0);
  assert.ok(plain.noteExecutable('/bin/true', { uid: 0, gid: 0 }));
  assert.deepEqual(plain.summary(''), ['SECURITY VIOLATION - scripts are being executed but script_security not enabled.']);
});

test('user and group are two words: no user:group or :group form (keepalived 2.2.7 refuses both)', () => {
  const base = fakeEnv();
  const env = { ...base, group: (g: string) => (g === 'daemon' ? { name: 'daemon', gid: 1 } : undefined) };
  assert.deepEqual(resolveUser(env, ['nobody', 'daemon']), { uid: 65533, gid: 1 });
  assert.equal(resolveUser(env, ['nobody', ':daemon']), undefined, "Script group ':daemon' does not exist");
  assert.equal(resolveUser(env, ['nobody:daemon']), undefined, "Script user 'nobody:daemon' does not exist");
});

test('SECURITY VIOLATION only when the default script user is root (script_user nobody: none, even with a `user root` script)', () => {
  const env = fakeEnv({ exec: ['/bin/true'] });
  const nobody = new ScriptContext(env, { scriptUser: { uid: 65533, gid: 65533 }, enableScriptSecurity: false }, () => undefined);
  assert.ok(nobody.noteExecutable('/bin/true', { uid: 0, gid: 0 }));
  assert.deepEqual(nobody.summary(''), []);
  const withKs = new ScriptContext(fakeEnv({ exec: ['/bin/true'], users: ['root', 'keepalived_script'] }), { scriptUser: undefined, enableScriptSecurity: false }, () => undefined);
  assert.ok(withKs.noteExecutable('/bin/true', { uid: 0, gid: 0 }));
  assert.deepEqual(withKs.summary(''), []);
  const root = new ScriptContext(env, { scriptUser: undefined, enableScriptSecurity: false }, () => undefined);
  assert.ok(root.noteExecutable('/bin/true', { uid: 65533, gid: 0 }));
  assert.deepEqual(root.summary(''), ['SECURITY VIOLATION - scripts are being executed but script_security not enabled.']);
});

test('script security: a sticky world-writable directory (/tmp) above a root-owned one is secure, as keepalived 2.2.7 runs /tmp/kx/s.sh', () => {
  const base = fakeEnv({ exec: ['/tmp/kx/s.sh'] });
  const modes: Record<string, number> = { '/': 0o755, '/tmp': 0o1777, '/tmp/kx': 0o755, '/tmp/kx/s.sh': 0o755, '/ww': 0o777, '/ww/s.sh': 0o755 };
  const env = { ...base, stat: (p: string) => (modes[p] === undefined ? undefined : { isFile: p.endsWith('.sh'), isDirectory: !p.endsWith('.sh'), isSymlink: false, mode: modes[p] ?? 0, uid: 0, gid: 0 }) };
  assert.equal(isPathSecureForRoot(env, '/tmp/kx/s.sh'), true);
  assert.equal(isPathSecureForRoot(env, '/ww/s.sh'), false, 'world-writable without the sticky bit');
});
