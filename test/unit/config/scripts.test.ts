import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatScriptForLog, parseScriptCommand, resolveScriptPath, ScriptContext } from '../../../src/config/scripts.js';
import { fakeEnv } from './fake-env.js';

test('script quoting rules', () => {
  assert.deepEqual(parseScriptCommand(['/x.sh "a b" c'])?.argv, ['/x.sh', 'a b', 'c']);
  assert.deepEqual(parseScriptCommand(["/x.sh 'a\\b'"])?.argv, ['/x.sh', 'a\\b']);
  assert.equal(parseScriptCommand(['']), undefined);
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
