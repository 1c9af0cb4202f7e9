/**
 * `skip_check_adv_addr` in a vrrp_instance (keepalived 2.2.7 -t, measured): any true/false word
 * or none turns the address-list check off for the current master (2.2.7 sets it even for
 * "false"); another word is "(V) invalid skip_check_adv_addr X specified". The global
 * vrrp_skip_check_adv_addr is the default.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatDiagnostic } from '../../../src/config/diagnostics.js';
import { loadConfig } from '../../../src/config/pipeline.js';
import { fakeEnv } from './fake-env.js';

function load(global: string, line: string): { lines: string[]; skip: boolean | undefined } {
  const text = `${global}vrrp_instance V {\n  interface eth0\n  virtual_router_id 1\n  ${line}\n  virtual_ipaddress {\n    192.0.2.1\n  }\n}\n`;
  const r = loadConfig('/k.conf', fakeEnv({ ifs: ['eth0'], files: { '/k.conf': text } }));
  return { lines: r.diagnostics.list.map(formatDiagnostic), skip: r.model.vrrp?.instances[0]?.skipCheckAdvAddr };
}

test('skip_check_adv_addr in a vrrp_instance: set by a bare keyword or any true/false word, diagnostic otherwise', () => {
  assert.deepEqual(load('', ''), { lines: [], skip: false });
  for (const word of ['', 'true', 'false', 'off']) assert.deepEqual(load('', `skip_check_adv_addr ${word}`), { lines: [], skip: true }, word);
  assert.deepEqual(load('', 'skip_check_adv_addr maybe'), { lines: ['(/k.conf: Line 4) (V) invalid skip_check_adv_addr maybe specified'], skip: false });
  assert.deepEqual(load('global_defs {\n  vrrp_skip_check_adv_addr\n}\n', ''), { lines: [], skip: true });
});
