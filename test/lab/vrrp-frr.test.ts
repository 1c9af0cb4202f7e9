/**
 * keepalived-ts and FRR 8.4 vrrpd (VRRPv3, IPv4) in one virtual router (lab-recipes.md). vrrpd
 * never adds addresses: it keeps a macvlan carrying the virtual MAC and the VIP in protodown while
 * BACKUP and lifts protodown as MASTER. The judges: `ip addr` on our host, protodown on FRR's.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Lab, type LabHost, type LabProcess } from '../support/lab/index.js';
import { holdsVip, Scratch, startDaemon, stopGracefully, waitLog, waitVip } from './vrrp-support.js';

const VIP = '192.0.2.100';
const MACVLAN = 'vrrp4-2-51';

async function addFrrMacvlan(host: LabHost): Promise<void> {
  await host.ip(['link', 'add', MACVLAN, 'link', 'eth0', 'type', 'macvlan', 'mode', 'bridge']);
  await host.ip(['link', 'set', MACVLAN, 'address', '00:00:5e:00:01:33']);
  await host.ip(['addr', 'add', `${VIP}/24`, 'dev', MACVLAN]);
  await host.ip(['link', 'set', MACVLAN, 'up']);
}

function startFrr(host: LabHost, scratch: Scratch, priority: number): { zebra: LabProcess; vrrpd: () => LabProcess } {
  const run = join(scratch.dir, 'frr');
  mkdirSync(run);
  chmodSync(scratch.dir, 0o755);
  chmodSync(run, 0o777);
  const conf = scratch.file('vrrpd.conf', ['interface eth0', ' vrrp 51 version 3', ` vrrp 51 priority ${priority}`, ' vrrp 51 advertisement-interval 1000', ` vrrp 51 ip ${VIP}`, ''].join('\n'));
  chmodSync(conf, 0o644);
  const common = ['--vty_socket', run, '-z', join(run, 'zserv.api')];
  const zebra = host.spawn('/usr/lib/frr/zebra', ['-N', 'lab', '-f', '/dev/null', ...common, '-i', join(run, 'zebra.pid'), '--log', `file:${join(run, 'zebra.log')}`]);
  const vrrpd = (): LabProcess => host.spawn('/usr/lib/frr/vrrpd', ['-N', 'lab', '-f', conf, ...common, '-i', join(run, 'vrrpd.pid'), '--log', 'stdout']);
  return { zebra, vrrpd };
}

async function protodown(host: LabHost): Promise<boolean> {
  const links = await host.ipJson(['-d', 'link', 'show', 'dev', MACVLAN]);
  return links[0]?.['proto_down'] === true;
}

async function waitProtodown(host: LabHost, wanted: boolean, timeoutMs: number): Promise<number> {
  const start = performance.now();
  while (performance.now() - start < timeoutMs) {
    if ((await protodown(host)) === wanted) return Math.round(performance.now() - start);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`FRR macvlan protodown never became ${String(wanted)} within ${timeoutMs} ms`);
}

test('FRR vrrpd v3 peer: keepalived-ts (150) is MASTER, vrrpd (100) BACKUP; on SIGTERM vrrpd takes over; preemption back', { timeout: 60_000 }, async () => {
  const lab = await Lab.create({ hosts: 2 });
  const scratch = new Scratch();
  try {
    const [h1, h2] = [lab.host(1), lab.host(2)];
    await addFrrMacvlan(h2);
    let ours = startDaemon('ts', h1, scratch, { priority: 150, version: 3, vips: [`${VIP}/24`] }, 'h1');
    await waitLog(ours, /\(VI_1\) Entering BACKUP STATE \(init\)/, 5_000);
    const frr = startFrr(h2, scratch, 100);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const vrrpd = frr.vrrpd();
    await waitLog(ours, /\(VI_1\) Entering MASTER STATE/, 6_000);
    await waitVip(h1, VIP, true, 2_000);
    await waitProtodown(h2, true, 5_000);
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    assert.equal(await protodown(h2), true, 'vrrpd stays BACKUP while our adverts flow (it accepts them)');
    assert.equal(ours.stderrLines.some((l) => /\(VI_1\) Entering BACKUP STATE$/.test(l)), false, 'we never yielded');

    await stopGracefully(ours);
    assert.equal(await holdsVip(h1, VIP), false);
    const takeoverMs = await waitProtodown(h2, false, 3_000);
    assert.ok(takeoverMs < 3_000, `vrrpd took over ${takeoverMs} ms after our priority-0 advert`);

    ours = startDaemon('ts', h1, scratch, { priority: 150, version: 3, vips: [`${VIP}/24`] }, 'h1b');
    await waitLog(ours, /\(VI_1\) Entering MASTER STATE/, 6_000);
    await waitVip(h1, VIP, true, 2_000);
    await waitProtodown(h2, true, 3_000);
    await stopGracefully(ours);
    await stopGracefully(vrrpd);
  } finally {
    await lab.destroy();
    scratch.cleanup();
  }
});
