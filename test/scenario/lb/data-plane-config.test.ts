/** global_defs lb_data_plane (a keepalived-ts keyword) -> the data plane choice -> selection. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../../../src/config/pipeline.js';
import { dataPlaneChoiceFromGlobal, selectDataPlane } from '../../../src/lb/plane-select.js';
import { NftablesDataPlane } from '../../../src/lb/planes/nft-plane.js';
import { fakeEnv } from '../../unit/config/fake-env.js';

const CONF = '/etc/keepalived/keepalived.conf';
const globalRaw = (body: string): ReadonlyMap<string, readonly string[]> | undefined => {
  const r = loadConfig(CONF, fakeEnv({ files: { [CONF]: `global_defs {\n${body}\n}\n` } }));
  assert.deepEqual(r.diagnostics.list.map((d) => d.message), []);
  return r.model.global?.raw;
};

test('lb_data_plane is accepted in global_defs and read as the choice; absent means auto', async () => {
  assert.equal(dataPlaneChoiceFromGlobal(globalRaw('  lb_data_plane nftables')), 'nftables');
  assert.equal(dataPlaneChoiceFromGlobal(globalRaw('  lb_data_plane none')), 'none');
  assert.equal(dataPlaneChoiceFromGlobal(globalRaw('  router_id r1')), 'auto');
  assert.throws(() => dataPlaneChoiceFromGlobal(globalRaw('  lb_data_plane lvs')), /lb_data_plane 'lvs' invalid/);
  const noIpvs = Object.assign(new Error('IPVS is not available'), { code: 'IPVS_UNAVAILABLE' });
  const s = await selectDataPlane(dataPlaneChoiceFromGlobal(globalRaw('  lb_data_plane auto')), {
    ipvs: () => Promise.reject(noIpvs),
    nftables: () => Promise.resolve(new NftablesDataPlane({ run: () => Promise.resolve({ ok: true }) })),
  });
  assert.ok(s.ok && s.plane.kind === 'nftables' && /no IPVS/.test(s.report));
});
