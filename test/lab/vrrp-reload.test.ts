/**
 * SIGHUP under traffic: keepalived-ts MASTER (h1, priority 150) and keepalived 2.2.7 BACKUP (h2,
 * priority 100) share 192.0.2.100; a client on h3 sends a UDP probe to the VIP every millisecond
 * and the responder bound to the VIP on h1 (or on h2, should the VIP ever move) answers. 50
 * reloads with an unchanged config, then 50 reloads each adding one VIP: no probe may go
 * unanswered, neither daemon may change state, and every added VIP must appear on h1. In the
 * adding series the backup is given the same VIP list and reloaded right after the master, as an
 * operator would (keepalived drops adverts whose address list differs from its own, so a backup
 * left with the old list would take over after Master_Down_Interval).
 *
 * Each reload waits for the daemon's "Reload finished" line before the next SIGHUP (a reload
 * queued during a running one would coalesce and test less). No timed assertion: the bound is the
 * protocol's (a reload must not delay adverts beyond Master_Down_Interval, 3.6 s here, or the
 * backup would take over: that shows as a transition in keepalived's log and as answers from h2).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Lab, type LabProcess } from '../support/lab/index.js';
import { ProbeClient, startResponders } from './vrrp-probe-support.js';
import { confText, holdsVip, Scratch, startDaemon, stopGracefully, waitLog, waitVip } from './vrrp-support.js';

const VIP = '192.0.2.100';
const RELOADS = 50;
const MASTER_LINE = /\(VI_1\) Entering MASTER STATE/;
const TRANSITION = /\(VI_1\) (Entering \w+ STATE|removing VIPs|sent 0 priority)/;
/** A reload of this small config; generous for a loaded 2-core machine (the bound is not timed). */
const RELOAD_TIMEOUT_MS = 10_000;

/** The extra VIPs of reload k (1-based) of the adding series: 198.51.100.1 .. 198.51.100.k. */
function addedVips(k: number): string[] {
  return Array.from({ length: k }, (_, i) => `198.51.100.${i + 1}/24`);
}

/** Resolves on the n-th line of the process's output matching `pattern` (counting earlier ones). */
function waitNth(proc: LabProcess, pattern: RegExp, n: number, timeoutMs: number): Promise<string> {
  let seen = 0;
  return waitLog(proc, (l) => pattern.test(l) && ++seen >= n, timeoutMs).catch((e: Error) => {
    throw new Error(`waiting for "${pattern.source}" #${n}: ${e.message}`);
  });
}

function lines(proc: LabProcess): string[] {
  return [...proc.stdoutLines, ...proc.stderrLines];
}

test('50 SIGHUP reloads (unchanged config, then each adding a VIP) while a client probes the VIP every ms: no lost probe, no transition', { timeout: 120_000 }, async (t) => {
  const lab = await Lab.create({ hosts: 3 });
  const scratch = new Scratch();
  try {
    const [h1, h2, h3] = [lab.host(1), lab.host(2), lab.host(3)];
    await startResponders([h1, h2], [VIP]);
    const base = { priority: 150, vips: [`${VIP}/24`] };
    const backupBase = { ...base, priority: 100 };
    const ours = startDaemon('ts', h1, scratch, base, 'h1');
    await waitLog(ours, /\(VI_1\) Entering BACKUP STATE \(init\)/, 5_000);
    const peer = startDaemon('keepalived', h2, scratch, backupBase, 'h2');
    await waitLog(ours, MASTER_LINE, 6_000);
    await waitVip(h1, VIP, true, 2_000);
    await waitLog(peer, /\(VI_1\) Entering BACKUP STATE/, 5_000);

    const client = await ProbeClient.start(h3, VIP, 1);
    await client.answeredBy('h1', 3_000);
    const before = lines(ours).filter((l) => TRANSITION.test(l)).length;

    let reloads = 0;
    const reload = async (): Promise<void> => {
      reloads++;
      ours.signal('SIGHUP');
      await waitNth(ours, /Reload finished in/, reloads, RELOAD_TIMEOUT_MS);
    };
    let peerReloads = 0;
    const reloadPeer = async (): Promise<void> => {
      peerReloads++;
      peer.signal('SIGHUP');
      await waitNth(peer, /Reload complete/, peerReloads, RELOAD_TIMEOUT_MS);
    };
    for (let i = 0; i < RELOADS; i++) await reload();
    assert.equal(await holdsVip(h1, VIP), true);
    for (let k = 1; k <= RELOADS; k++) {
      scratch.file('h1.conf', confText({ ...base, vips: [...base.vips, ...addedVips(k)] }));
      scratch.file('h2.conf', confText({ ...backupBase, vips: [...base.vips, ...addedVips(k)] }));
      await reload();
      await reloadPeer();
      const added = `198.51.100.${k}`;
      await waitVip(h1, added, true, 2_000);
    }

    const done = await client.stop();
    t.diagnostic(`${reloads} reloads; probes sent ${done.sent}, answered ${done.received}, slots skipped by the client ${done.skipped}`);

    const ourTransitions = lines(ours).filter((l) => TRANSITION.test(l)).slice(before);
    assert.deepEqual(ourTransitions, [], 'keepalived-ts changed state during the reloads');
    assert.equal(lines(peer).some((l) => MASTER_LINE.test(l)), false, `keepalived became master:\n${lines(peer).filter((l) => !/gratuitous ARP/.test(l)).slice(-20).join('\n')}`);
    assert.deepEqual(done.runs.map((r) => r.name), ['h1'], 'only h1 answered (the VIP never moved)');
    assert.ok(done.sent >= 1_000, `the client sent ${done.sent} probes`);
    assert.equal(done.sent - done.received, 0, `${done.sent - done.received} of ${done.sent} probes unanswered`);
    const added = addedVips(RELOADS).map((v) => v.split('/')[0] ?? '');
    const held = new Set((await h1.addresses()).map((a) => a.split('/')[0]));
    assert.deepEqual(added.filter((v) => !held.has(v)), [], 'every added VIP is on h1');
    assert.equal(lines(ours).filter((l) => /Reload finished in/.test(l)).length, 2 * RELOADS);
    assert.deepEqual(lines(ours).filter((l) => /Reload aborted|reload failed|cannot apply/.test(l)), []);

    await stopGracefully(ours);
    await stopGracefully(peer);
  } finally {
    await lab.destroy();
    scratch.cleanup();
  }
});
