/** Data plane selection: auto falls back to nftables only when IPVS is absent. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NoDataPlane, type DataPlane } from '../../../src/lb/data-plane.js';
import { parseDataPlaneChoice, selectDataPlane, type DataPlaneFactories } from '../../../src/lb/plane-select.js';
import { NftablesDataPlane } from '../../../src/lb/planes/nft-plane.js';
import { IpvsDataPlane } from '../../../src/lb/planes/ipvs-plane.js';
import type { IpvsPort } from '../../../src/lb/planes/ipvs-port.js';

const noIpvs = Object.assign(new Error('IPVS is not available: the kernel has no IPVS generic netlink family'), { code: 'IPVS_UNAVAILABLE' });
const nft = (): Promise<DataPlane> => Promise.resolve(new NftablesDataPlane({ run: () => Promise.resolve({ ok: true }) }));
const ipvsPlane = (): Promise<DataPlane> => Promise.resolve(new IpvsDataPlane({} as IpvsPort));
const factories = (ipvs: () => Promise<DataPlane>): DataPlaneFactories => ({ ipvs, nftables: nft });

test('auto: IPVS when present', async () => {
  const s = await selectDataPlane('auto', factories(ipvsPlane));
  assert.ok(s.ok && s.plane.kind === 'ipvs');
  assert.equal(s.report, 'lb data plane: auto -> ipvs (generic netlink, 0 kernel services)');
});

test('auto: nftables when the kernel has no IPVS, and the start-up line says why', async () => {
  const s = await selectDataPlane('auto', factories(() => Promise.reject(noIpvs)));
  assert.ok(s.ok && s.plane.kind === 'nftables');
  assert.equal(s.report, 'lb data plane: auto -> nftables (table inet keepalived_ts) (no IPVS: IPVS is not available: the kernel has no IPVS generic netlink family)');
});

test('auto does not hide other IPVS errors; explicit ipvs without IPVS fails; none needs nothing', async () => {
  const eperm = await selectDataPlane('auto', factories(() => Promise.reject(Object.assign(new Error('EPERM'), { code: 'NETLINK_EPERM' }))));
  assert.ok(!eperm.ok && eperm.code === 'NETLINK_EPERM');
  const explicit = await selectDataPlane('ipvs', factories(() => Promise.reject(noIpvs)));
  assert.ok(!explicit.ok && explicit.code === 'IPVS_UNAVAILABLE' && /ipvs failed: IPVS is not available/.test(explicit.report));
  const none = await selectDataPlane('none', factories(() => Promise.reject(noIpvs)));
  assert.ok(none.ok && none.plane instanceof NoDataPlane);
});

test('parseDataPlaneChoice: default auto, case-insensitive, rejects other words', () => {
  assert.equal(parseDataPlaneChoice(undefined), 'auto');
  assert.equal(parseDataPlaneChoice('NFTables'), 'nftables');
  assert.throws(() => parseDataPlaneChoice('iptables'), /lb_data_plane 'iptables' invalid/);
});
