/**
 * Failures on a real wire: host failure (cable pulled) with keepalived 2.2.7 as the peer, both
 * ways round, and hostile adverts sent at a keepalived-ts MASTER (dropped, counted in
 * keepalived's stats file written on SIGUSR2, state kept). Each scenario has its own lab.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildAdvert } from '../../src/vrrp/advert.js';
import { encodeVrrpMessage } from '../../src/vrrp/packet-codec.js';
import { internetChecksum } from '../../src/proto/checksum.js';
import { defaultParams } from '../../src/vrrp/params.js';
import { Lab, type LabHost } from '../support/lab/index.js';
import { confText, holdsVip, Scratch, startDaemon, stopGracefully, waitLog, waitVip, withVrrpLab, type Flavour } from './vrrp-support.js';

const VIP = '192.0.2.100';
const MASTER_LINE = /\(VI_1\) Entering MASTER STATE/;
const SENDER = fileURLToPath(new URL('./vrrp-hostile-sender.js', import.meta.url));

function withLab(body: (lab: Lab, scratch: Scratch, h1: LabHost, h2: LabHost) => Promise<void>): Promise<void> {
  return withVrrpLab(2, (lab, scratch) => body(lab, scratch, lab.host(1), lab.host(2)));
}

/** The master's cable is pulled: the backup takes over after Master_Down; on return, preemption. */
async function hostFailure(master: Flavour, backup: Flavour, report: (line: string) => void): Promise<void> {
  await withLab(async (_lab, scratch, h1, h2) => {
    const conf = { vips: [`${VIP}/24`] };
    const m = startDaemon(master, h1, scratch, { ...conf, priority: 150 }, 'h1');
    await waitLog(m, /\(VI_1\) Entering BACKUP STATE \(init\)/, 5_000);
    const b = startDaemon(backup, h2, scratch, { ...conf, priority: 100 }, 'h2');
    await waitLog(m, MASTER_LINE, 6_000);
    await waitVip(h1, VIP, true, 2_000);
    await waitLog(b, /\(VI_1\) Entering BACKUP STATE/, 3_000);
    await h1.cableDown();
    const takeoverMs = await waitVip(h2, VIP, true, 5_000);
    assert.ok(takeoverMs > 2_500, `the backup waited for Master_Down (3.6 s), took over after ${takeoverMs} ms`);
    report(`${backup} took the VIP ${takeoverMs} ms after ${master}'s cable was pulled`);
    await waitLog(m, /\(VI_1\) Entering FAULT STATE/, 3_000);
    await waitVip(h1, VIP, false, 2_000);
    await h1.cableUp();
    await waitVip(h1, VIP, true, 7_000);
    await waitVip(h2, VIP, false, 2_000);
    await stopGracefully(m);
    await stopGracefully(b);
  });
}

test('host failure: keepalived-ts master loses its cable -> FAULT, keepalived takes over; cable back -> preempts', { timeout: 40_000 }, async (t) => {
  await hostFailure('ts', 'keepalived', (line) => t.diagnostic(line));
});

test('host failure: keepalived master loses its cable -> keepalived-ts takes over after Master_Down; cable back -> yields', { timeout: 40_000 }, async (t) => {
  await hostFailure('keepalived', 'ts', (line) => t.diagnostic(line));
});

const AUTH = 'lab-pw';

function hostileParams(overrides: Partial<Parameters<typeof defaultParams>[0]> = {}): ReturnType<typeof defaultParams> {
  return defaultParams({ name: 'X', vrid: 51, vips: [VIP], primaryAddress: '192.0.2.2', priority: 254, auth: { type: 'PASS', password: AUTH }, ...overrides });
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}

/** v2 messages a MASTER must drop; each would make it yield (priority 254) if accepted. */
function hostileMessages(): string[] {
  const good = encodeVrrpMessage(buildAdvert(hostileParams(), 254));
  const badChecksum = Uint8Array.from(good);
  badChecksum[6] = (badChecksum[6] ?? 0) ^ 0x5a;
  const wrongAuth = encodeVrrpMessage(buildAdvert(hostileParams({ auth: { type: 'PASS', password: 'wrong' } }), 254));
  const v3 = encodeVrrpMessage(buildAdvert(hostileParams({ version: 3, auth: { type: 'none' } }), 254), {
    checksum: { family: 'ipv4', source: Uint8Array.of(192, 0, 2, 2), destination: Uint8Array.of(224, 0, 0, 18) },
  });
  const type2 = Uint8Array.from(good);
  type2[0] = 0x22;
  type2[6] = 0;
  type2[7] = 0;
  const sum = internetChecksum(type2);
  type2[6] = sum >> 8;
  type2[7] = sum & 0xff;
  const otherVrid = encodeVrrpMessage(buildAdvert(hostileParams({ vrid: 99 }), 254));
  return [`254:${hex(good)}`, `255:${hex(badChecksum)}`, `255:${hex(wrongAuth)}`, `255:${hex(v3)}`, `255:${hex(type2)}`, `255:${hex(otherVrid)}`];
}

test('hostile adverts (TTL 254, bad checksum, wrong auth, wrong version, type 2, unknown VRID) are dropped and counted; MASTER kept', { timeout: 30_000 }, async () => {
  await withLab(async (_lab, scratch, h1, h2) => {
    const ours = startDaemon('ts', h1, scratch, { priority: 150, vips: [`${VIP}/24`], authPass: AUTH }, 'h1');
    await waitLog(ours, MASTER_LINE, 6_000);
    const sender = h2.spawnNode(SENDER, ['eth0', h2.ipv4, '224.0.0.18', ...hostileMessages()]);
    await waitLog(sender, /^sent 6$/, 5_000);
    await new Promise((resolve) => setTimeout(resolve, 500));
    ours.signal('SIGUSR2');
    const statsFile = join(scratch.dir, 'keepalived.stats');
    let text = '';
    for (let i = 0; i < 40 && !text.includes('Unknown VRID'); i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      text = await readFile(statsFile, 'utf8').catch(() => '');
    }
    assert.match(text, /VRRP Instance: VI_1\n {2}Advertisements:\n {4}Received: 0\n/, text);
    assert.match(text, /Packet Errors:\n {4}Length: 0\n {4}TTL: 1\n {4}Invalid Type: 1\n/, text);
    assert.match(text, /Authentication Errors:\n {4}Invalid Type: 0\n {4}Type Mismatch: 0\n {4}Failure: 1\n/, text);
    assert.match(text, /Checksum: 1\n {4}Version: 1\n/, text);
    assert.match(text, /keepalived-ts daemon drops:\n {2}Unknown VRID: 1\n/, text);
    const yielded = ours.stderrLines.filter((l) => /\(VI_1\) Entering BACKUP STATE$/.test(l));
    assert.deepEqual(yielded, [], 'still MASTER: no priority-254 advert was accepted');
    assert.equal(await holdsVip(h1, VIP), true);
    await stopGracefully(ours);
  });
});

test('SIGHUP reload (unchanged, then one more VIP): keepalived-ts stays MASTER, the VIP never leaves, keepalived stays BACKUP', { timeout: 30_000 }, async () => {
  await withLab(async (_lab, scratch, h1, h2) => {
    const ours = startDaemon('ts', h1, scratch, { priority: 150, vips: [`${VIP}/24`] }, 'h1');
    await waitLog(ours, /\(VI_1\) Entering BACKUP STATE \(init\)/, 5_000);
    const peer = startDaemon('keepalived', h2, scratch, { priority: 100, vips: [`${VIP}/24`] }, 'h2');
    await waitLog(ours, MASTER_LINE, 6_000);
    await waitVip(h1, VIP, true, 2_000);
    ours.signal('SIGHUP');
    await waitLog(ours, /Reload finished in/, 5_000);
    for (let i = 0; i < 20; i++) {
      assert.equal(await holdsVip(h1, VIP), true, 'the VIP stays during and after the reload');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    // a changed instance (one more VIP): adopted in place, still MASTER, the new VIP added. The
    // peer gets the same list (keepalived drops adverts whose address list differs from its own and
    // would take over after Master_Down_Interval), then both run for longer than that interval.
    const both = [`${VIP}/24`, '192.0.2.101/24'];
    scratch.file('h1.conf', confText({ priority: 150, vips: both }));
    ours.signal('SIGHUP');
    scratch.file('h2.conf', confText({ priority: 100, vips: both }));
    peer.signal('SIGHUP');
    await waitVip(h1, '192.0.2.101', true, 3_000);
    await new Promise((resolve) => setTimeout(resolve, 4_500));
    assert.equal(await holdsVip(h1, VIP), true);
    assert.equal(await holdsVip(h2, VIP), false, 'keepalived did not take the VIP');
    const transitions = ours.stderrLines.filter((l) => /Entering|removing VIPs/.test(l));
    assert.deepEqual(transitions.map((l) => l.replace(/^.*keepalived-ts: /, '')), [
      '(VI_1) removing VIPs.', '(VI_1) Entering BACKUP STATE (init)', '(VI_1) Entering MASTER STATE',
    ]);
    assert.equal(peer.stdoutLines.concat(peer.stderrLines).some((l) => MASTER_LINE.test(l)), false, 'keepalived never became master');
    await stopGracefully(ours);
    await stopGracefully(peer);
  });
});

test('notify scripts: keepalived-ts runs notify_master and the generic notify with keepalived\'s arguments', { timeout: 20_000 }, async () => {
  await withLab(async (_lab, scratch, h1) => {
    const log = scratch.path('notify.log');
    const script = scratch.file('notify.sh', `#!/bin/sh\necho "$*" >> ${log}\n`);
    chmodSync(script, 0o755);
    const extra = [`notify_master "${script} master-only"`, `notify ${script}`];
    const ours = startDaemon('ts', h1, scratch, { priority: 150, vips: [`${VIP}/24`], extra }, 'h1');
    await waitLog(ours, MASTER_LINE, 6_000);
    await stopGracefully(ours);
    let lines: string[] = [];
    for (let i = 0; i < 40 && lines.length < 4; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      lines = (await readFile(log, 'utf8').catch(() => '')).split('\n').filter((l) => l !== '');
    }
    assert.deepEqual(lines.slice(0, 2), ['INSTANCE VI_1 BACKUP 150', 'master-only']);
    assert.deepEqual(lines.slice(2).sort(), ['INSTANCE VI_1 MASTER 150', 'INSTANCE VI_1 STOP 150'], 'MASTER, then STOP on SIGTERM (run before exit)');
  });
});

test('weighted track_interface: a tracked link goes down, keepalived-ts advertises 150-60 and keepalived (100) preempts', { timeout: 30_000 }, async () => {
  await withLab(async (_lab, scratch, h1, h2) => {
    // no dummy driver in this kernel: a veth pair inside h1 (trk0 runs while both ends are up)
    await h1.ip(['link', 'add', 'trk0', 'type', 'veth', 'peer', 'name', 'trk1']);
    await h1.ip(['link', 'set', 'trk1', 'up']);
    await h1.ip(['link', 'set', 'trk0', 'up']);
    const extra = ['track_interface {', '  trk0 weight -60', '}'];
    const ours = startDaemon('ts', h1, scratch, { priority: 150, vips: [`${VIP}/24`], extra }, 'h1');
    await waitLog(ours, /\(VI_1\) Entering BACKUP STATE \(init\)/, 5_000);
    const peer = startDaemon('keepalived', h2, scratch, { priority: 100, vips: [`${VIP}/24`] }, 'h2');
    await waitLog(ours, MASTER_LINE, 6_000);
    await waitVip(h1, VIP, true, 2_000);
    await h1.ip(['link', 'set', 'trk0', 'down']);
    await waitLog(ours, /\(VI_1\) Changing effective priority from 150 to 90/, 3_000);
    await waitVip(h2, VIP, true, 6_000);
    await waitVip(h1, VIP, false, 2_000);
    await h1.ip(['link', 'set', 'trk0', 'up']);
    await waitVip(h1, VIP, true, 6_000);
    await waitVip(h2, VIP, false, 2_000);
    await stopGracefully(ours);
    await stopGracefully(peer);
  });
});

test('clean start: a VIP left behind by a killed run is removed when keepalived-ts starts as BACKUP', { timeout: 30_000 }, async () => {
  await withLab(async (_lab, scratch, h1, h2) => {
    const peer = startDaemon('keepalived', h2, scratch, { priority: 150, vips: [`${VIP}/24`] }, 'h2');
    await waitLog(peer, MASTER_LINE, 6_000);
    await h1.ip(['addr', 'add', `${VIP}/24`, 'dev', 'eth0']);
    const ours = startDaemon('ts', h1, scratch, { priority: 100, vips: [`${VIP}/24`] }, 'h1');
    await waitLog(ours, /\(VI_1\) Entering BACKUP STATE \(init\)/, 5_000);
    const goneMs = await waitVip(h1, VIP, false, 2_000);
    assert.ok(goneMs < 2_000);
    assert.equal(await holdsVip(h2, VIP), true, 'the master keeps it');
    await stopGracefully(ours);
    await stopGracefully(peer);
  });
});

test('v3 IPv6 unicast peers with keepalived 2.2.7: keepalived-ts master; SIGTERM hands over to keepalived', { timeout: 30_000 }, async () => {
  await withLab(async (_lab, scratch, h1, h2) => {
    const vip = '2001:db8::100';
    const conf = (h: 1 | 2): { version: 3; vips: string[]; unicastSrc: string; unicastPeers: string[] } =>
      ({ version: 3, vips: [`${vip}/64`], unicastSrc: `2001:db8::${h}`, unicastPeers: [`2001:db8::${3 - h}`] });
    const ours = startDaemon('ts', h1, scratch, { ...conf(1), priority: 150 }, 'h1');
    await waitLog(ours, /\(VI_1\) Entering BACKUP STATE \(init\)/, 5_000);
    const peer = startDaemon('keepalived', h2, scratch, { ...conf(2), priority: 100 }, 'h2');
    await waitLog(ours, MASTER_LINE, 6_000);
    await waitVip(h1, vip, true, 2_000);
    await waitLog(peer, /\(VI_1\) Entering BACKUP STATE/, 3_000);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    assert.equal(peer.stdoutLines.concat(peer.stderrLines).some((l) => MASTER_LINE.test(l)), false, 'keepalived accepted our unicast adverts');
    await stopGracefully(ours);
    await waitVip(h2, vip, true, 2_500);
    await stopGracefully(peer);
  });
});

test('address-list mismatch: keepalived-ts, like keepalived 2.2.7, drops adverts without its VIPs (logged as keepalived does) and takes over after Master_Down', { timeout: 30_000 }, async (t) => {
  await withLab(async (_lab, scratch, h1, h2) => {
    const peer = startDaemon('keepalived', h1, scratch, { priority: 150, vips: [`${VIP}/24`] }, 'h1');
    await waitLog(peer, MASTER_LINE, 6_000);
    const ours = startDaemon('ts', h2, scratch, { priority: 100, vips: ['192.0.2.101/24'] }, 'h2');
    const line = await waitLog(ours, /\(VI_1\) ip address associated with VRID 51 not present in MASTER advert: 192\.0\.2\.101$/, 5_000);
    t.diagnostic(line.replace(/^.*keepalived-ts: /, ''));
    // Master_Down at priority 100, advert_int 1: 3 s + Skew_Time 0.61 s (2.2.7 did the same in this role)
    await waitLog(ours, MASTER_LINE, 3_610 + 2_000);
    await waitVip(h2, '192.0.2.101', true, 2_000);
    assert.equal(await holdsVip(h1, VIP), true, 'keepalived keeps its own VIP (it drops our adverts too)');
    await stopGracefully(ours);
    await stopGracefully(peer);
  });
});
