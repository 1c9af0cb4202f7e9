import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { Sysctl } from '../../../../src/os/linux/netlink/sysctl.js';
import { SysctlError } from '../../../../src/os/linux/netlink/errors.js';
import { bytesToIp, ipToBytes, parsePrefix } from '../../../../src/os/linux/netlink/ip-address.js';

test('prepareVmac sets arp_ignore/arp_filter/accept_local/rp_filter and returns the old values', async () => {
  const root = await mkdtemp(join(tmpdir(), 'nl-sysctl-'));
  try {
    const conf = join(root, 'net', 'ipv4', 'conf', 'vrrp.1');
    await mkdir(conf, { recursive: true });
    for (const [k, v] of [['arp_ignore', '0'], ['arp_filter', '0'], ['accept_local', '0'], ['rp_filter', '2']] as const) await writeFile(join(conf, k), `${v}\n`);
    const sysctl = new Sysctl(root);
    assert.deepEqual(await sysctl.prepareVmac('vrrp.1'), { arp_ignore: 0, arp_filter: 0, accept_local: 0, rp_filter: 2 });
    assert.equal(await readFile(join(conf, 'rp_filter'), 'utf8'), '0\n');
    assert.equal(await sysctl.readIpv4('vrrp.1', 'arp_ignore'), 1);
    await assert.rejects(sysctl.setPromoteSecondaries('eth9', true), (e: unknown) => e instanceof SysctlError && e.errnoName === 'ENOENT');
    await assert.rejects(sysctl.setIpv4('../x', 'rp_filter', 0), SysctlError);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

test('IP text <-> bytes, RFC 5952 output', () => {
  const cases: Array<[string, string]> = [
    ['192.0.2.1', '192.0.2.1'], ['2001:db8::1', '2001:db8::1'], ['2001:DB8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['::', '::'], ['::ffff:192.0.2.1', '::ffff:c000:201'], ['fe80::', 'fe80::'], ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'],
  ];
  for (const [input, out] of cases) assert.equal(bytesToIp(ipToBytes(input).bytes), out);
  for (const bad of ['192.0.2', '256.0.0.1', '1::2::3', '2001:db8:::1', '1:2:3:4:5:6:7:8:9', 'x']) {
    assert.throws(() => ipToBytes(bad), (e: unknown) => (e as { code?: string }).code === 'NETLINK_BAD_VALUE', bad);
  }
  assert.deepEqual(parsePrefix('2001:db8::/32'), { address: '2001:db8::', prefixLength: 32, family: 10 });
  assert.throws(() => parsePrefix('192.0.2.0/33'));
});
