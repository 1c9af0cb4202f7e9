import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigErrorClass, DiagnosticSink } from '../../../src/config/diagnostics.js';
import type { ConfigEnvironment } from '../../../src/config/environment.js';
import type { LoadConfig, LoadOptions } from '../../../src/config/domain.js';
import { runConfigTest, type ConfigTestOutput, type ConfigTestRequest } from '../../../src/cli/config-test.js';

class CapturedOutput implements ConfigTestOutput {
  out = '';
  err = '';
  files = new Map<string, string>();
  failFiles = new Set<string>();
  stdout(t: string): void { this.out += t; }
  stderr(t: string): void { this.err += t; }
  appendFile(p: string, t: string): void {
    if (this.failFiles.has(p)) throw Object.assign(new Error('ENOENT'), { code: 'ENOENT', errno: -2 });
    this.files.set(p, (this.files.get(p) ?? '') + t);
  }
}

function fakeEnv(existing: string[]): ConfigEnvironment {
  return { glob: (p: string) => (existing.includes(p) ? [p] : []) } as unknown as ConfigEnvironment;
}

function fakeLoader(calls: LoadOptions[]): () => Promise<LoadConfig> {
  return async () => (path, _env, options) => {
    calls.push(options ?? {});
    const sink = new DiagnosticSink();
    sink.report(ConfigErrorClass.UnknownKeyword, "Unknown keyword 'vrrp_defs'", { file: path, line: 14 }, 'line');
    sink.report(ConfigErrorClass.GeneralError, '(VI_1) No VIP specified; at least one is sensible', { file: path, line: 20 }, 'none');
    return { model: {}, diagnostics: sink, files: [path] };
  };
}

const base: ConfigTestRequest = { configFile: 'k.conf', allConfig: false, json: false, dumpConf: false };

test('missing config: "Config files missing" and exit 0, or 4 with -e', async () => {
  for (const [allConfig, code] of [[false, 0], [true, 4]] as const) {
    const out = new CapturedOutput();
    const calls: LoadOptions[] = [];
    assert.equal(await runConfigTest({ ...base, allConfig }, fakeEnv([]), fakeLoader(calls), out), code);
    assert.equal(out.err, "Config files missing 'k.conf'.\n");
    assert.equal(calls.length, 0);
  }
});

test('diagnostics on stderr in keepalived format, exit code from the classes', async () => {
  const out = new CapturedOutput();
  const calls: LoadOptions[] = [];
  const code = await runConfigTest({ ...base, configId: 'lb1', allConfig: true }, fakeEnv(['k.conf']), fakeLoader(calls), out);
  assert.equal(code, 5);
  assert.equal(out.err, "(Line 14) Unknown keyword 'vrrp_defs'\n(VI_1) No VIP specified; at least one is sensible\n");
  assert.equal(out.out, '');
  assert.deepEqual(calls, [{ allConfig: true, configId: 'lb1' }]);
});

test('-t=FILE appends to the file; an unwritable one is exit 1', async () => {
  const out = new CapturedOutput();
  assert.equal(await runConfigTest({ ...base, logFile: '/l' }, fakeEnv(['k.conf']), fakeLoader([]), out), 5);
  assert.equal(out.err, '');
  assert.match(out.files.get('/l') ?? '', /Unknown keyword 'vrrp_defs'/);
  const bad = new CapturedOutput();
  bad.failFiles.add('/nope/l');
  assert.equal(await runConfigTest({ ...base, logFile: '/nope/l' }, fakeEnv(['k.conf']), fakeLoader([]), bad), 1);
  assert.equal(bad.err, 'Unable to open config-test log file /nope/l 2 - No such file or directory\n');
});

test('--json prints diagnostics and model on stdout', async () => {
  const out = new CapturedOutput();
  assert.equal(await runConfigTest({ ...base, json: true }, fakeEnv(['k.conf']), fakeLoader([]), out), 5);
  const doc = JSON.parse(out.out) as { exitCode: number; diagnostics: { class: string; severity: string; line?: number; text: string }[]; model: unknown };
  assert.equal(doc.exitCode, 5);
  assert.deepEqual(doc.diagnostics.map((d) => [d.class, d.severity, d.line]), [['UnknownKeyword', 'error', 14], ['GeneralError', 'error', 20]]);
  assert.deepEqual(doc.model, {});
});

test('pipeline extras: notes are printed first, abortExitCode wins (keepalived exit 2)', async () => {
  const out = new CapturedOutput();
  const loader = async (): Promise<LoadConfig> => (path) => {
    const sink = new DiagnosticSink();
    sink.report(ConfigErrorClass.MissingParameter, '*** Configuration line starting `path` is missing a parameter after keyword `path` at word position 2', { file: path, line: 33 });
    return Object.assign({ model: {}, diagnostics: sink, files: [path] }, { abortExitCode: 2, notes: ['a note'] });
  };
  assert.equal(await runConfigTest(base, fakeEnv(['k.conf']), loader, out), 2);
  assert.equal(out.err, 'a note\n(k.conf: Line 33) *** Configuration line starting `path` is missing a parameter after keyword `path` at word position 2\n');
});
