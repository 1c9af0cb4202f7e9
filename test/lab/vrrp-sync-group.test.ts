/**
 * vrrp_sync_group with keepalived 2.2.7 as the peer: two instances on eth0 (VI_1 VRID 51 VIP
 * 192.0.2.100, VI_2 VRID 52 VIP 192.0.2.101) in one group on both nodes; the master (h1, priority
 * 150) tracks a link of its own with VI_2 only (`track_interface trk0`, unweighted). Taking trk0
 * down faults VI_2 and, through the group, VI_1: both VIPs move to the backup (h2, priority 100)
 * although nothing is wrong with VI_1. trk0 up again: both come back (preemption). `ip addr` and a
 * client per VIP on h3 (answered by a UDP responder bound to the VIP on each node) judge it.
 * Each flavour is the master once.
 *
 * Bounds from the config: the fault sends priority 0 (the backup takes over after Skew_Time);
 * preemption back waits Master_Down_Interval (3 x 1 s + 0.61 s); slack for a loaded machine.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { LabHost, LabProcess } from '../support/lab/index.js';
import { masterDownMs, v2SkewMs } from './vrrp-matrix-support.js';
import { ProbeClient, startResponders } from './vrrp-probe-support.js';
import { globalDefsLines, instanceText, startDaemonWith, stopGracefully, waitLog, waitVip, withVrrpLab, type Flavour } from './vrrp-support.js';

const VIPS = ['192.0.2.100', '192.0.2.101'] as const;
const MOVE_MS = masterDownMs(v2SkewMs(100), 1) + 3_000;

function configText(priority: number, trackLink: boolean): string {
  const group = ['vrrp_sync_group G1 {', '  group {', '    VI_1', '    VI_2', '  }', '}'];
  const vi1 = instanceText('VI_1', { priority, vrid: 51, vips: [`${VIPS[0]}/24`] });
  const vi2 = instanceText('VI_2', { priority, vrid: 52, vips: [`${VIPS[1]}/24`], extra: trackLink ? ['track_interface {', '  trk0', '}'] : [] });
  return [...globalDefsLines(), ...group, vi1, vi2].join('\n');
}

function lines(proc: LabProcess): string[] {
  return [...proc.stdoutLines, ...proc.stderrLines];
}

/** Both VIPs on `holder` only, each client answered by it. */
async function bothOn(holder: LabHost, other: LabHost, clients: readonly ProbeClient[], what: string): Promise<void> {
  for (const vip of VIPS) {
    await waitVip(holder, vip, true, MOVE_MS).catch((e: Error) => {
      throw new Error(`${what}: ${e.message}`);
    });
  }
  for (const vip of VIPS) await waitVip(other, vip, false, 2_000);
  for (const c of clients) await c.answeredBy(`h${holder.index}`, 2_000);
}

async function groupFailsOver(master: Flavour, backup: Flavour, report: (line: string) => void): Promise<void> {
  await withVrrpLab(3, async (lab, scratch) => {
    const [h1, h2, h3] = [lab.host(1), lab.host(2), lab.host(3)];
    // no dummy driver in this kernel: a veth pair inside h1 (trk0 runs while both ends are up)
    await h1.ip(['link', 'add', 'trk0', 'type', 'veth', 'peer', 'name', 'trk1']);
    await h1.ip(['link', 'set', 'trk1', 'up']);
    await h1.ip(['link', 'set', 'trk0', 'up']);
    await startResponders([h1, h2], VIPS);
    const m = startDaemonWith(master, h1, scratch, configText(150, true), 'h1');
    await waitLog(m, /\(VI_2\) Entering BACKUP STATE/, 5_000);
    const b = startDaemonWith(backup, h2, scratch, configText(100, false), 'h2');
    await waitLog(m, /\(VI_1\) Entering MASTER STATE/, 6_000);
    await waitLog(m, /\(VI_2\) Entering MASTER STATE/, 6_000);
    await waitLog(b, /\(VI_2\) Entering BACKUP STATE/, 5_000);
    const clients = [await ProbeClient.start(h3, VIPS[0], 10), await ProbeClient.start(h3, VIPS[1], 10)];
    await bothOn(h1, h2, clients, `${master} master at start`);

    let at = performance.now();
    await h1.ip(['link', 'set', 'trk0', 'down']);
    await bothOn(h2, h1, clients, `trk0 down on the ${master} master: both instances move to ${backup}`);
    report(`trk0 down on ${master}: both VIPs on ${backup} after ${Math.round(performance.now() - at)} ms`);
    await waitLog(m, /\(VI_2\) Entering FAULT STATE/, 1_000);
    await waitLog(m, /\(VI_1\) Entering FAULT STATE/, 1_000);

    at = performance.now();
    await h1.ip(['link', 'set', 'trk0', 'up']);
    await bothOn(h1, h2, clients, `trk0 up on ${master}: both instances come back`);
    report(`trk0 up on ${master}: both VIPs back after ${Math.round(performance.now() - at)} ms`);

    for (const c of clients) {
      await c.stop();
      assert.deepEqual(c.runs(), ['h1', 'h2', 'h1'], `${c.vip}: answered by h1, then h2, then h1 again`);
    }
    for (const name of ['VI_1', 'VI_2']) {
      const entered = new RegExp(`\\(${name}\\) Entering MASTER STATE`);
      assert.equal(lines(m).filter((l) => entered.test(l)).length, 2, `${master} ${name} was MASTER twice:\n${lines(m).slice(-30).join('\n')}`);
      assert.equal(lines(b).filter((l) => entered.test(l)).length, 1, `${backup} ${name} was MASTER once:\n${lines(b).slice(-30).join('\n')}`);
    }
    await stopGracefully(m);
    await stopGracefully(b);
  });
}

test('sync group: keepalived-ts master, one member\'s tracked link down -> both instances move to keepalived; link up -> both come back', { timeout: 60_000 }, async (t) => {
  await groupFailsOver('ts', 'keepalived', (line) => t.diagnostic(line));
});

test('sync group: keepalived master, one member\'s tracked link down -> both instances move to keepalived-ts; link up -> both come back', { timeout: 60_000 }, async (t) => {
  await groupFailsOver('keepalived', 'ts', (line) => t.diagnostic(line));
});
