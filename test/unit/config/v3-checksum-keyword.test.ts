/**
 * `v3_checksum_as_v2` (keepalived 2.2.8; 2.2.7 reports it as an unknown keyword): the one keyword
 * accepted beyond 2.2.7 (docs/config-compat.md). In global_defs it sets the default of every
 * vrrp_instance, in a vrrp_instance it sets that instance; an optional argument is read as
 * keepalived's check_true_false (true/yes/on, false/no/off). Adapted for the engine: send the
 * message-only checksum and accept either form; without it, the pseudo-header form only.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatDiagnostic } from '../../../src/config/diagnostics.js';
import { loadConfig } from '../../../src/config/pipeline.js';
import { adaptInstance } from '../../../src/vrrp/config-adapter.js';
import { fakeEnv } from './fake-env.js';

function load(text: string): ReturnType<typeof loadConfig> {
  return loadConfig('/k.conf', fakeEnv({ ifs: ['eth0'], files: { '/k.conf': text } }));
}

function instance(name: string, extra: string): string {
  return `vrrp_instance ${name} {
  interface eth0
  virtual_router_id ${name === 'A' ? 1 : 2}
  version 3
  ${extra}
  virtual_ipaddress {
    192.0.2.100
  }
}
`;
}

function flags(text: string): { lines: string[]; exit: number; asV2: Record<string, boolean> } {
  const r = load(text);
  const asV2: Record<string, boolean> = {};
  for (const i of r.model.vrrp?.instances ?? []) asV2[i.name] = i.v3ChecksumAsV2;
  return { lines: r.diagnostics.list.map(formatDiagnostic), exit: r.diagnostics.exitCode, asV2 };
}

test('v3_checksum_as_v2 in a vrrp_instance: bare, true-ish and false-ish words, no diagnostic', () => {
  for (const [word, want] of [['', true], ['true', true], ['yes', true], ['on', true], ['false', false], ['no', false], ['off', false]] as const) {
    const r = flags(instance('A', `v3_checksum_as_v2 ${word}`) + instance('B', ''));
    assert.deepEqual(r.lines, [], `word '${word}'`);
    assert.equal(r.exit, 0);
    assert.deepEqual(r.asV2, { A: want, B: false }, `word '${word}'`);
  }
});

test('v3_checksum_as_v2 with a bad argument: keepalived 2.2.8\'s message, the setting unchanged', () => {
  const r = flags(instance('A', 'v3_checksum_as_v2 maybe'));
  assert.deepEqual(r.lines, ['(/k.conf: Line 5) (A) invalid v3_checksum_as_v2 maybe specified']);
  assert.equal(r.exit, 5);
  assert.deepEqual(r.asV2, { A: false });
});

test('v3_checksum_as_v2 in global_defs is the default of every instance; an instance can turn it off', () => {
  const r = flags(`global_defs {\n  v3_checksum_as_v2\n}\n${instance('A', '')}${instance('B', 'v3_checksum_as_v2 off')}`);
  assert.deepEqual(r.lines, []);
  assert.deepEqual(r.asV2, { A: true, B: false });
  const off = flags(`global_defs {\n  v3_checksum_as_v2 no\n}\n${instance('A', '')}`);
  assert.deepEqual(off.asV2, { A: false });
  const bad = flags(`global_defs {\n  v3_checksum_as_v2 sometimes\n}\n${instance('A', '')}`);
  assert.deepEqual(bad.lines, ['(Line 2) Invalid value for v3_checksum_as_v2 specified']);
  assert.deepEqual(bad.asV2, { A: false });
});

test('the engine sends message-only and accepts either form with the keyword, the pseudo-header form only without', () => {
  const r = load(`global_defs {\n  v3_checksum_as_v2\n}\n${instance('A', '')}${instance('B', 'v3_checksum_as_v2 false')}`);
  const global = r.model.global;
  assert.ok(global);
  const [a, b] = (r.model.vrrp?.instances ?? []).map((i) => adaptInstance(i, global, () => '192.0.2.1').params);
  assert.equal(a?.v3ChecksumSend, 'message-only');
  assert.equal(a?.v3ChecksumAccept, 'either');
  assert.equal(b?.v3ChecksumSend, 'pseudo-header');
  assert.equal(b?.v3ChecksumAccept, 'pseudo-header');
});
