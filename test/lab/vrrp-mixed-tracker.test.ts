/**
 * A tracked script in a mixed keepalived-ts / keepalived 2.2.7 pair, both ways round: the master
 * (h1, priority 150) tracks `vrrp_script chk` (test -f SCRATCH/h1-ok, interval 1, weight -60,
 * fall 1, rise 1); removing the file makes the script fail, the master advertises 90 and the
 * backup (h2, priority 100) takes the VIP; restoring it brings the master back to 150 and it
 * preempts. After each move `ip addr` shows the VIP on the expected host only and a client on h3
 * is answered by that host (a UDP responder bound to the VIP on each node).
 *
 * Bounds from the config: the script notices within interval x fall (+ one run), then the backup
 * waits Master_Down_Interval (3 x 1 s + skew 0.61 s) before it takes over; preemption back waits
 * the same interval at most. Generous slack for a loaded machine, still well below "never".
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import type { LabHost, LabProcess } from '../support/lab/index.js';
import { masterDownMs, v2SkewMs } from './vrrp-matrix-support.js';
import { ProbeClient, startResponders } from './vrrp-probe-support.js';
import { holdsVip, startDaemon, stopGracefully, waitLog, waitVip, withVrrpLab, type Flavour } from './vrrp-support.js';

const VIP = '192.0.2.100';
const SCRIPT_INTERVAL_MS = 1_000;
const SLACK_MS = 3_000;
/** The script notices (interval x fall, plus its run), then the backup waits Master_Down. */
const MOVE_MS = 2 * SCRIPT_INTERVAL_MS + masterDownMs(v2SkewMs(100), 1) + SLACK_MS;

function lines(proc: LabProcess): string[] {
  return [...proc.stdoutLines, ...proc.stderrLines];
}

async function vipOnlyOn(holder: LabHost, other: LabHost, client: ProbeClient, what: string): Promise<void> {
  await waitVip(holder, VIP, true, MOVE_MS).catch((e: Error) => {
    throw new Error(`${what}: ${e.message}`);
  });
  await waitVip(other, VIP, false, 2_000);
  await client.answeredBy(`h${holder.index}`, 2_000);
}

async function scriptMovesVip(master: Flavour, backup: Flavour, report: (line: string) => void): Promise<void> {
  await withVrrpLab(3, async (lab, scratch) => {
    const [h1, h2, h3] = [lab.host(1), lab.host(2), lab.host(3)];
    await startResponders([h1, h2], [VIP]);
    const okFile = scratch.path('h1-ok');
    writeFileSync(okFile, '');
    const top = ['vrrp_script chk {', `  script "/usr/bin/test -f ${okFile}"`, '  interval 1', '  weight -60', '  fall 1', '  rise 1', '}'];
    const m = startDaemon(master, h1, scratch, { priority: 150, vips: [`${VIP}/24`], top, extra: ['track_script {', '  chk', '}'] }, 'h1');
    await waitLog(m, /\(VI_1\) Entering BACKUP STATE/, 5_000);
    const b = startDaemon(backup, h2, scratch, { priority: 100, vips: [`${VIP}/24`] }, 'h2');
    await waitLog(m, /\(VI_1\) Entering MASTER STATE/, 6_000);
    await waitLog(b, /\(VI_1\) Entering BACKUP STATE/, 5_000);
    const client = await ProbeClient.start(h3, VIP, 10);
    await vipOnlyOn(h1, h2, client, `${master} master at start`);

    let at = performance.now();
    rmSync(okFile);
    await vipOnlyOn(h2, h1, client, `script failed on the ${master} master: ${backup} takes the VIP`);
    report(`${master} master's script failed: ${backup} answered after ${Math.round(performance.now() - at)} ms`);
    await waitLog(m, /\(VI_1\) Changing effective priority from 150 to 90/, 1_000);
    await waitLog(m, /\(VI_1\) Entering BACKUP STATE$/, 1_000);

    at = performance.now();
    writeFileSync(okFile, '');
    await vipOnlyOn(h1, h2, client, `script recovered on ${master}: it preempts back`);
    report(`${master}'s script recovered: it answered again after ${Math.round(performance.now() - at)} ms`);
    await waitLog(m, /\(VI_1\) Changing effective priority from 90 to 150/, 1_000);

    const done = await client.stop();
    assert.deepEqual(client.runs(), ['h1', 'h2', 'h1'], 'the client saw h1, then h2, then h1 again, no flapping');
    assert.ok(done.received > 0);
    assert.equal(lines(m).filter((l) => /\(VI_1\) Entering MASTER STATE/.test(l)).length, 2, `the master was MASTER twice:\n${lines(m).slice(-20).join('\n')}`);
    assert.equal(lines(b).filter((l) => /\(VI_1\) Entering MASTER STATE/.test(l)).length, 1, 'the backup was MASTER once');
    assert.equal(await holdsVip(h2, VIP), false);
    await stopGracefully(m);
    await stopGracefully(b);
  });
}

test('mixed pair, tracked script: keepalived-ts master\'s script fails -> keepalived takes the VIP; recovers -> keepalived-ts preempts back', { timeout: 60_000 }, async (t) => {
  await scriptMovesVip('ts', 'keepalived', (line) => t.diagnostic(line));
});

test('mixed pair, tracked script: keepalived master\'s script fails -> keepalived-ts takes the VIP; recovers -> keepalived preempts back', { timeout: 60_000 }, async (t) => {
  await scriptMovesVip('keepalived', 'ts', (line) => t.diagnostic(line));
});
