/**
 * v3 IPv4 in both checksum modes on a real wire. `v3_checksum_as_v2` (keepalived 2.2.8; 2.2.7
 * does not know it) makes keepalived-ts send the checksum over the VRRP message only (RFC 9568)
 * and accept either form; without it, the pseudo-header form only (keepalived's default).
 * - a keepalived-ts pair in message-only mode elects and hands over (priority 0 on SIGTERM); the
 *   captured adverts are checked here with our own RFC 1071 sum (message only: zero; with the
 *   IPv4 pseudo-header: not zero) and by tshark with its v3_checksum_as_in_v2 preference;
 * - a keepalived-ts BACKUP with the knob behind a keepalived 2.2.7 MASTER (pseudo-header) accepts
 *   its adverts and stays BACKUP past Master_Down;
 * - keepalived 2.2.7 as BACKUP of a message-only keepalived-ts MASTER drops every advert as a bad
 *   checksum (its log) and becomes MASTER too after Master_Down: expected, 2.2.7 has no knob.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { field, fieldValues, type CapturedPacket } from '../support/lab/capture.js';
import { Lab, type LabHost, type LabProcess } from '../support/lab/index.js';
import { masterDownMs, v3SkewMs } from './vrrp-matrix-support.js';
import { holdsVip, Scratch, startDaemon, stopGracefully, waitLog, waitVip, withVrrpLab, type InstanceConf } from './vrrp-support.js';

const VIP = '192.0.2.100';
const MASTER_LINE = /\(VI_1\) Entering MASTER STATE/;
const BACKUP_LINE = /\(VI_1\) Entering BACKUP STATE/;
const INIT_LINE = /\(VI_1\) Entering BACKUP STATE \(init\)/;
const BETTER = 150;
const WORSE = 100;
/** Our allowance on top of Skew_Time: SIGTERM handling, one hop, VIP install, 50 ms polling. */
const MARGIN_MS = 1_000;
const MASTER_DOWN_MS = masterDownMs(v3SkewMs(WORSE, 1), 1);
const KNOB = ['v3_checksum_as_v2'];

function conf(priority: number, extra: readonly string[] = []): InstanceConf {
  return { priority, version: 3, vips: [`${VIP}/24`], extra };
}

function withLab(body: (lab: Lab, scratch: Scratch, h1: LabHost, h2: LabHost) => Promise<void>): Promise<void> {
  return withVrrpLab(2, (lab, scratch) => body(lab, scratch, lab.host(1), lab.host(2)));
}

function logOf(proc: LabProcess): string[] {
  return proc.stdoutLines.concat(proc.stderrLines);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** RFC 1071, written out here so that the check does not reuse the code under test. */
function rfc1071Sum(chunks: readonly Uint8Array[]): number {
  let sum = 0;
  for (const bytes of chunks) {
    for (let i = 0; i < bytes.length; i += 2) sum += ((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0);
  }
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

function ipv4Bytes(text: string): Uint8Array {
  return Uint8Array.from(text.split('.').map(Number));
}

/** The VRRP message bytes of a captured packet (tshark -x: `vrrp_raw` = [hex, offset, length, ...]). */
function vrrpBytes(packet: CapturedPacket): Uint8Array {
  const raw = fieldValues(packet, 'vrrp_raw')[0];
  assert.equal(typeof raw, 'string', 'tshark -x gives the VRRP layer bytes');
  return Uint8Array.from(Buffer.from(String(raw), 'hex'));
}

test('v3 IPv4 message-only checksum: a keepalived-ts pair with v3_checksum_as_v2 elects, the wire checksum is message-only, SIGTERM hands over', { timeout: 40_000 }, async (t) => {
  await withLab(async (lab, scratch, h1, h2) => {
    const capture = await lab.capture('bridge', undefined, 'ip proto 112', { raw: true, preferences: ['vrrp.v3_checksum_as_in_v2:TRUE'] });
    const better = startDaemon('ts', h1, scratch, conf(BETTER, KNOB), 'h1');
    await waitLog(better, INIT_LINE, 5_000);
    const worse = startDaemon('ts', h2, scratch, conf(WORSE, KNOB), 'h2');
    await waitLog(better, MASTER_LINE, 6_000);
    await waitVip(h1, VIP, true, 2_000);
    await waitLog(worse, BACKUP_LINE, 3_000);
    await sleep(MASTER_DOWN_MS + 500);
    assert.equal(logOf(worse).some((l) => MASTER_LINE.test(l)), false, `the backup accepted the message-only adverts:\n${logOf(worse).join('\n')}`);
    assert.equal(await holdsVip(h2, VIP), false);

    const { packets } = await capture.stop();
    const adverts = packets.filter((p) => field(p, 'ip.src') === h1.ipv4 && field(p, 'vrrp.prio') === String(BETTER));
    assert.ok(adverts.length >= 3, `captured ${adverts.length} adverts of the master`);
    for (const p of adverts) {
      const message = vrrpBytes(p);
      assert.equal(message[0], 0x31, 'VRRPv3 advertisement');
      assert.equal(rfc1071Sum([message]), 0, 'the checksum covers the VRRP message only');
      const pseudo = Uint8Array.of(...ipv4Bytes(field(p, 'ip.src') ?? ''), ...ipv4Bytes(field(p, 'ip.dst') ?? ''), 0, 112, 0, message.length);
      assert.notEqual(rfc1071Sum([pseudo, message]), 0, 'not the pseudo-header form');
      assert.equal(field(p, 'vrrp.checksum.status'), '1', 'tshark (v3_checksum_as_in_v2): Checksum Status: Good');
    }
    t.diagnostic(`${adverts.length} message-only adverts verified (RFC 1071 over the message: 0)`);

    const skew = v3SkewMs(WORSE, 1);
    const stopAt = performance.now();
    const taken = waitVip(h2, VIP, true, MASTER_DOWN_MS + MARGIN_MS).then(() => Math.round(performance.now() - stopAt));
    taken.catch(() => undefined);
    await stopGracefully(better);
    const tookMs = await taken;
    assert.ok(tookMs <= skew + MARGIN_MS, `priority-0 handover took ${tookMs} ms, bound Skew_Time ${skew} + ${MARGIN_MS} ms`);
    t.diagnostic(`the message-only backup held the VIP ${tookMs} ms after SIGTERM`);
    await stopGracefully(worse);
  });
});

test('v3 IPv4 pseudo-header master (keepalived 2.2.7), keepalived-ts backup with v3_checksum_as_v2: accepted, stays BACKUP', { timeout: 40_000 }, async () => {
  await withLab(async (_lab, scratch, h1, h2) => {
    const master = startDaemon('keepalived', h1, scratch, conf(BETTER), 'h1');
    await waitLog(master, MASTER_LINE, 6_000);
    await waitVip(h1, VIP, true, 2_000);
    const ours = startDaemon('ts', h2, scratch, conf(WORSE, KNOB), 'h2');
    await waitLog(ours, INIT_LINE, 5_000);
    await sleep(MASTER_DOWN_MS + 1_000);
    assert.equal(logOf(ours).some((l) => MASTER_LINE.test(l)), false, `keepalived-ts stayed BACKUP:\n${logOf(ours).join('\n')}`);
    assert.equal(logOf(ours).some((l) => /checksum/.test(l)), false, 'no checksum drop logged');
    assert.equal(await holdsVip(h2, VIP), false);
    assert.equal(await holdsVip(h1, VIP), true);
    await stopGracefully(ours);
    await stopGracefully(master);
  });
});

test('v3 IPv4 message-only master (keepalived-ts), keepalived 2.2.7 backup: 2.2.7 drops the adverts as bad checksums and takes over (expected)', { timeout: 40_000 }, async (t) => {
  await withLab(async (_lab, scratch, h1, h2) => {
    const ours = startDaemon('ts', h1, scratch, conf(BETTER, KNOB), 'h1');
    await waitLog(ours, MASTER_LINE, 6_000);
    const peer = startDaemon('keepalived', h2, scratch, conf(WORSE), 'h2');
    const bad = await waitLog(peer, /checksum/i, 5_000);
    t.diagnostic(`keepalived 2.2.7: ${bad.replace(/^.*?: \(/, '(')}`);
    assert.match(bad, /\(VI_1\).*checksum/i);
    await waitLog(peer, MASTER_LINE, MASTER_DOWN_MS + MARGIN_MS + 1_000);
    await waitVip(h2, VIP, true, 2_000);
    assert.equal(await holdsVip(h1, VIP), true, 'keepalived-ts accepts the lower-priority 2.2.7 adverts (either form) and stays MASTER');
    assert.equal(logOf(ours).some((l) => BACKUP_LINE.test(l) && !INIT_LINE.test(l)), false, 'keepalived-ts never yielded');
    await stopGracefully(peer);
    await stopGracefully(ours);
  });
});
