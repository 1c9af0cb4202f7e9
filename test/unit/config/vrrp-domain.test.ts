import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ConfigLine, ConfigNode } from '../../../src/config/ast.js';
import { DiagnosticSink, formatDiagnostic, shownByConfigTest, type ConfigErrorClass, type Span } from '../../../src/config/diagnostics.js';
import type { ConfigModel, ValidationContext } from '../../../src/config/domain.js';
import { globalDomain } from '../../../src/config/domains/global/index.js';
import { vrrpDomain } from '../../../src/config/domains/vrrp/index.js';
import { fakeEnv } from './fake-env.js';

let line = 0;
const sp = (): Span => ({ file: 'k.conf', line: ++line });
const n = (keyword: string, args: string[] = [], children?: ConfigNode[]): ConfigNode =>
  (children ? { keyword, args, span: sp(), children } : { keyword, args, span: sp() });
const l = (keyword: string, rows: string[][]): ConfigNode => ({ keyword, args: [], span: sp(), lines: rows.map((t): ConfigLine => ({ tokens: t, span: sp() })) });

function run(globalNodes: ConfigNode[], vrrpNodes: ConfigNode[], env = fakeEnv({ ifs: ['eth0'], exec: ['/bin/true'] })): { lines: string[]; model: Partial<ConfigModel>; sink: DiagnosticSink } {
  const sink = new DiagnosticSink();
  const model: Partial<ConfigModel> = {};
  const ctx: ValidationContext = {
    env, diagnostics: sink, configId: 'corpus', model,
    report: (cls: ConfigErrorClass, message: string, span: Span, prefix?: 'line' | 'file' | 'none') => sink.report(cls, message, span, prefix),
  };
  model.global = globalDomain.validate(globalNodes, ctx);
  model.vrrp = vrrpDomain.validate(vrrpNodes, ctx);
  return { lines: sink.list.map(formatDiagnostic), model, sink };
}

test('a plain instance has no diagnostics and keepalived defaults', () => {
  const r = run([], [n('vrrp_instance', ['V'], [n('interface', ['eth0']), n('virtual_router_id', ['7']), l('virtual_ipaddress', [['192.0.2.9/24']])])]);
  assert.deepEqual(r.lines, []);
  const i = r.model.vrrp?.instances[0];
  assert.equal(i?.priority, 100);
  assert.equal(i?.advertIntervalCs, 100);
  assert.equal(i?.version, 2);
  assert.equal(i?.vips[0]?.prefixLength, 24);
});

test('bad priority, missing VIP, unknown track script', () => {
  const r = run([], [n('vrrp_instance', ['V'], [n('interface', ['eth0']), n('virtual_router_id', ['1']), n('priority', ['256']), l('track_script', [['s9']])])]);
  assert.deepEqual(r.lines.map((x) => x.replace(/^\(k\.conf: Line \d+\) /, '')), [
    "number '256' outside range [1, 255]",
    '(V) Priority not valid! must be between 1 & 255. Using default 100',
    '(V) track script s9 not found, ignoring...',
    // keepalived 2.2.7 says it twice (before and after its other instance checks)
    '(V) No VIP specified; at least one is sensible',
    '(V) No VIP specified; at least one is sensible',
  ]);
  assert.equal(r.sink.exitCode, 5);
});

test('missing script is disabled, existing one triggers the security violation (exit 6)', () => {
  const r = run([], [
    n('vrrp_script', ['a'], [n('script', ['/nonexistent'])]),
    n('vrrp_script', ['b'], [n('script', ['/bin/true x'])]),
    n('vrrp_instance', ['V'], [n('interface', ['eth0']), n('virtual_router_id', ['1']), l('track_script', [['a'], ['b']]), l('virtual_ipaddress', [['192.0.2.9']])]),
  ]);
  // the first line is the daemon's log line only (-t does not print it)
  assert.deepEqual(r.lines, ["Script user 'keepalived_script' does not exist", 'Disabling track script a since not found/accessible', 'SECURITY VIOLATION - scripts are being executed but script_security not enabled.']);
  assert.equal(r.sink.exitCode, 6);
});

test('missing interface is reported and fatal for the pass', () => {
  const r = run([], [n('vrrp_instance', ['V'], [n('interface', ['eth9']), n('virtual_router_id', ['1'])])]);
  assert.equal(r.lines.at(-1), 'Non-existent interface specified in configuration');
  assert.match(r.lines[0] ?? '', /WARNING - interface eth9 for vrrp_instance V doesn't exist/);
});

test('global_defs values with keepalived messages', () => {
  const r = run([n('global_defs', [], [n('vrrp_garp_interval', ['0']), n('vrrp_version', ['4']), n('script_user', ['quentin']), n('vrrp_strict')])], []);
  assert.deepEqual(r.lines.map((x) => x.replace(/^\(k\.conf: Line \d+\) /, '')), [
    "number '0' outside range [0.000001, 4294.967295]",
    "vrrp_garp_interval '0' is invalid",
    "number '4' outside range [2, 3]",
    'VRRP Error: Version must be either 2 or 3',
    "Script user 'quentin' does not exist",
    'Error setting global script uid/gid',
  ]);
  assert.equal(r.model.global?.vrrp.strict, true);
  assert.equal(r.model.global?.scriptUser, null);
});

/** /ww is world-writable (no sticky bit): a root script in it is insecure. */
function insecureEnv(): ReturnType<typeof fakeEnv> {
  const env = fakeEnv({ ifs: ['eth0'], exec: ['/ww/s.sh'] });
  return { ...env, stat: (p) => (p === '/ww' ? { isFile: false, isDirectory: true, isSymlink: false, mode: 0o777, uid: 0, gid: 0 } : env.stat(p)) };
}

function insecureScriptConfig(): ConfigNode[] {
  return [
    n('vrrp_script', ['chk'], [n('script', ['/ww/s.sh chk'])]),
    n('vrrp_instance', ['V'], [n('interface', ['eth0']), n('virtual_router_id', ['1']), n('notify_master', ['/ww/s.sh master']), l('track_script', [['chk']]), l('virtual_ipaddress', [['192.0.2.9']])]),
  ];
}

test('enable_script_security: a root script in a world-writable directory is refused with keepalived 2.2.7\'s lines (-t shows one, exit 5)', () => {
  const r = run([n('global_defs', [], [n('enable_script_security'), n('script_user', ['root'])])], insecureScriptConfig(), insecureEnv());
  assert.deepEqual(r.lines, [
    "Unsafe permissions found for script '/ww/s.sh' - disabling.",
    'Disabling track script chk due to insecure',
    "Unsafe permissions found for script '/ww/s.sh' - disabling.",
  ]);
  assert.deepEqual(r.sink.list.filter(shownByConfigTest).map(formatDiagnostic), ['Disabling track script chk due to insecure'], 'keepalived -t prints only this line');
  assert.equal(r.sink.exitCode, 5);
  assert.deepEqual(r.model.vrrp?.scripts, [], 'the script is not run');
  assert.equal(r.model.vrrp?.instances[0]?.notify.master, undefined, 'nor the notify script');
});

test('without enable_script_security an insecure root script runs and the summary says so (exit 6)', () => {
  const r = run([], insecureScriptConfig(), insecureEnv());
  // the running keepalived 2.2.7 logs each unsafe script without " - disabling" (measured)
  assert.deepEqual(r.lines, [
    "Script user 'keepalived_script' does not exist",
    "Unsafe permissions found for script '/ww/s.sh'.",
    "Unsafe permissions found for script '/ww/s.sh'.",
    'SECURITY VIOLATION - scripts are being executed but script_security not enabled. There are insecure scripts.',
  ]);
  assert.deepEqual(r.sink.list.filter(shownByConfigTest).map(formatDiagnostic), [
    'SECURITY VIOLATION - scripts are being executed but script_security not enabled. There are insecure scripts.',
  ], 'keepalived -t prints only the summary');
  assert.equal(r.sink.exitCode, 6);
  assert.equal(r.model.vrrp?.scripts.length, 1);
});
