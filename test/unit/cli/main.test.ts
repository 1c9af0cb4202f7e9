import { test } from 'node:test';
import assert from 'node:assert/strict';
import { run } from '../../../src/cli/main.js';
import type { ConfigTestOutput } from '../../../src/cli/config-test.js';

async function runCaptured(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const o: ConfigTestOutput = { stdout: (t) => void (out += t), stderr: (t) => void (err += t), appendFile: () => undefined };
  const code = await run(argv, { program: 'keepalived-ts' }, o);
  return { code, out, err };
}

test('--help and --version go to stderr, exit 0', async () => {
  const h = await runCaptured(['--help']);
  assert.equal(h.code, 0);
  assert.match(h.err, /^Usage: keepalived-ts \[OPTION\.\.\.\]\n/);
  assert.match(h.err, /-t, --config-test\[=LOG_FILE\]/);
  const v = await runCaptured(['-v']);
  assert.equal(v.code, 0);
  assert.match(v.err, /^Keepalived v2\.2\.7 \(keepalived-ts /);
  assert.equal(v.out, '');
});

test('unknown option: message and usage on stderr, exit 1', async () => {
  const r = await runCaptured(['-lq']);
  assert.equal(r.code, 1);
  assert.match(r.err, /^Unknown option -q\nUsage: /);
});

test('--signum prints the number on stdout', async () => {
  assert.deepEqual(await runCaptured(['--signum=RELOAD']), { code: 0, out: '1\n', err: '' });
  assert.deepEqual(await runCaptured(['--signum=FOO']), { code: 1, out: '', err: 'Unknown sigfunc FOO\n' });
});

test('genhash mode: too few arguments print genhash usage and exit 1', async () => {
  const first = await runCaptured(['--genhash', '-s', '192.0.2.1']);
  assert.equal(first.code, 1);
  assert.match(first.err, /^Usage: .* COMMAND \[OPTIONS\]/);
  const later = await runCaptured(['-n', '-T']);
  assert.match(later.err, /^Warning -- `-T` not used as first option/);
});

test('-t on a missing file reports it, operands are complained about', async () => {
  const r = await runCaptured(['-t', 'extra', '-f', '/nonexistent/keepalived-ts.conf']);
  assert.equal(r.code, 0);
  assert.equal(r.err, "Unexpected argument(s): extra \nConfig files missing '/nonexistent/keepalived-ts.conf'.\n");
});
