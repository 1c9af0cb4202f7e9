/**
 * Lab: the REAL daemon balances through nftables. `keepalived-ts -n -l -C -f CONF` on the director
 * h1 (virtual_server 192.0.2.100 80, wrr, NAT, TCP_CHECK at delay_loop 1, sorry server h6), nginx
 * real servers h2..h4, client h5 (see lb-daemon-support.ts for the LVS-NAT routing):
 * - requests through the VIP reach all three;
 * - nginx stopped: within delay_loop x (retry + 1) + 1 s (from the stop) its dnat is gone and new
 *   connections avoid it; restarted: it comes back; FIFO lines for both;
 * - all down: the sorry server answers; back up: it leaves;
 * - a long download survives a SIGHUP reload that changes its server's weight;
 * - SIGTERM removes the table (with -I it stays); kill -9 leaves it, and the next start cleans
 *   the leftover.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Lab, type LabHost, type LabProcess } from '../support/lab/index.js';
import { BIG_FILE_BYTES, burst, CLIENT_SCRIPT, makeWorkDir, removeWorkDir, setupDirector, startNginx, VIP } from './lb-support.js';
import {
  dnatTo, DOWN_BOUND_MS, routeRepliesViaDirector, startDaemon, START_TIMEOUT_MS, tableText, TABLE, waitReady, waitTable, writeConfig,
} from './lb-daemon-support.js';

const VS = `[${VIP}]:tcp:80`;
const RS = (n: number): string => `[192.0.2.${n}]:tcp:80`;

describe('lb: the real daemon with the nftables data plane (lab)', { timeout: 180_000 }, () => {
  let lab: Lab;
  let dir: string | undefined;
  let director: LabHost;
  let client: LabHost;
  let daemon: LabProcess | undefined;
  let fifoReader: LabProcess | undefined;
  const nginx = new Map<number, LabProcess>();
  const fifo = (): string => join(dir ?? '', 'lvs.fifo');
  const conf = (): string => join(dir ?? '', 'keepalived.conf');

  before(async () => {
    if (process.getuid?.() !== 0) throw new Error('lb-daemon lab test must run as root (network namespaces, nft)');
    lab = await Lab.create({ hosts: 6 });
    dir = await makeWorkDir();
    director = lab.host(1);
    client = lab.host(5);
    await setupDirector(director);
    for (const n of [2, 3, 4]) nginx.set(n, await startNginx(lab.host(n), `h${n}`, dir));
    await startNginx(lab.host(6), 'sorry', dir);
    await routeRepliesViaDirector([2, 3, 4, 6].map((n) => lab.host(n)), client, director);
    await writeConfig(conf(), { weights: [1, 1, 1], fifo: fifo() });
  });

  after(async () => {
    await daemon?.stop(3_000);
    await fifoReader?.stop();
    await lab?.destroy();
    await removeWorkDir(dir);
  });

  it('starts: says which plane and why, and installs the pool; requests reach all three', async () => {
    daemon = startDaemon(director, dir ?? '');
    const report = await daemon.waitForLine(/lb data plane: auto -> /, START_TIMEOUT_MS);
    assert.match(report, /auto -> nftables \(table inet keepalived_ts\) \(no IPVS: /);
    await waitReady(daemon);
    fifoReader = director.spawn('cat', [fifo()]);
    const r = await burst(client, 60);
    assert.equal(r.errors, 0, r.lastError);
    assert.deepEqual(r.counts, { h2: 20, h3: 20, h4: 20 });
  });

  it('nginx stopped: no new connections within delay_loop x (retry + 1) + 1 s; restarted: back', async () => {
    const d = daemon as LabProcess;
    await nginx.get(3)?.stop();
    const stoppedAt = performance.now();
    const goneAt = await waitTable(director, (t) => t !== '' && !dnatTo('192.0.2.3').test(t), DOWN_BOUND_MS + 2_000, 'dropped 192.0.2.3');
    const afterMs = goneAt - stoppedAt;
    console.log(`DOWN -> ruleset without the server: ${Math.round(afterMs)} ms (bound ${DOWN_BOUND_MS} ms)`);
    assert.ok(afterMs <= DOWN_BOUND_MS, `removed after ${Math.round(afterMs)} ms, bound ${DOWN_BOUND_MS} ms`);
    await d.waitForLine((l) => l.includes(`Removing service ${RS(3)} from VS ${VS}`), 1_000);
    const r = await burst(client, 40);
    assert.equal(r.errors, 0, r.lastError);
    assert.deepEqual(r.counts, { h2: 20, h4: 20 });
    await fifoReader?.waitForLine((l) => l === `RS ${RS(3)} ${VS} DOWN`, 1_000);

    nginx.set(3, await startNginx(lab.host(3), 'h3', dir ?? ''));
    await waitTable(director, (t) => dnatTo('192.0.2.3').test(t), DOWN_BOUND_MS + 2_000, 'restored 192.0.2.3');
    const back = await burst(client, 30);
    assert.deepEqual(back.counts, { h2: 10, h3: 10, h4: 10 });
    await fifoReader?.waitForLine((l) => l === `RS ${RS(3)} ${VS} UP`, 1_000);
  });

  it('all real servers down: the sorry server answers; all back: it leaves', async () => {
    for (const n of [2, 3, 4]) await nginx.get(n)?.stop();
    await waitTable(director, (t) => dnatTo('192.0.2.6').test(t) && ![2, 3, 4].some((n) => dnatTo(`192.0.2.${n}`).test(t)), DOWN_BOUND_MS + 2_000, 'sorry only');
    assert.deepEqual((await burst(client, 10)).counts, { sorry: 10 });
    await fifoReader?.waitForLine((l) => l === `VS ${VS} DOWN`, 1_000);
    for (const n of [2, 3, 4]) nginx.set(n, await startNginx(lab.host(n), `h${n}`, dir ?? ''));
    await waitTable(director, (t) => [2, 3, 4].every((n) => dnatTo(`192.0.2.${n}`).test(t)) && !dnatTo('192.0.2.6').test(t), DOWN_BOUND_MS + 2_000, 'all three back');
    assert.deepEqual((await burst(client, 30)).counts, { h2: 10, h3: 10, h4: 10 });
    await fifoReader?.waitForLine((l) => l === `VS ${VS} UP`, 1_000);
  });

  it('a long download survives a SIGHUP reload that changes its server weight; an unchanged reload does not touch the plane', async () => {
    const d = daemon as LabProcess;
    d.signal('SIGHUP');
    await d.waitForLine(/lb: reload: pool unchanged - data plane not touched/, START_TIMEOUT_MS);
    const dl = client.spawn(process.execPath, [CLIENT_SCRIPT, 'slow', `http://${VIP}/big.bin`]);
    const started = await dl.waitForJson((m) => m['started'] === true, 5_000);
    const server = String(started['server']);
    const n = Number(server.slice(1));
    const weights: [number, number, number] = [1, 1, 1];
    weights[n - 2] = 3;
    const before = await tableText(director);
    const t0 = performance.now();
    await writeConfig(conf(), { weights, fifo: fifo() });
    d.signal('SIGHUP');
    await d.waitForLine(/lb: reload: pool changes applied/, START_TIMEOUT_MS);
    assert.notEqual(await tableText(director), before, 'the weight change reached the ruleset');
    const fresh = await burst(client, 50);
    assert.equal(fresh.counts[server], 30, `weight 3 of 5: ${JSON.stringify(fresh.counts)}`);
    const done = await dl.waitForJson((m) => m['done'] === true || m['error'] !== undefined, 15_000);
    assert.deepEqual([done['done'], done['bytes'], done['server']], [true, BIG_FILE_BYTES, server]);
    assert.ok(performance.now() - t0 > 1_000, 'the download was still running during the reload');
  });

  it('SIGTERM removes the table', async () => {
    const d = daemon as LabProcess;
    d.signal('SIGTERM');
    await d.waitForLine(/Stopped Keepalived/, START_TIMEOUT_MS);
    await d.exited;
    assert.equal(await tableText(director), '');
    assert.doesNotMatch((await director.execOk('nft', ['list', 'tables'])).stdout, new RegExp(TABLE));
  });

  it('kill -9 leaves the table; the next start removes the leftover before installing its own', async () => {
    const first = startDaemon(director, dir ?? '');
    daemon = first;
    await waitReady(first);
    first.signal('SIGKILL');
    await first.exited;
    assert.match(await tableText(director), dnatTo('192.0.2.2'), 'a killed daemon leaves its table');
    await director.execOk('nft', ['add', 'chain', 'inet', TABLE, 'leftover_marker']);
    const second = startDaemon(director, dir ?? '');
    daemon = second;
    await waitReady(second);
    const text = await tableText(director);
    assert.doesNotMatch(text, /leftover_marker/);
    assert.match(text, dnatTo('192.0.2.4'));
    assert.equal((await burst(client, 12)).errors, 0);
    second.signal('SIGTERM');
    await second.exited;
    assert.equal(await tableText(director), '');
  });

  it('-I (--dont-release-ipvs): SIGTERM leaves the table; a normal start and stop then remove it', async () => {
    const keep = startDaemon(director, dir ?? '', ['-I']);
    daemon = keep;
    await waitReady(keep);
    keep.signal('SIGTERM');
    await keep.waitForLine(/in place \(--dont-release-ipvs\)/, START_TIMEOUT_MS);
    await keep.exited;
    assert.match(await tableText(director), dnatTo('192.0.2.3'));
    assert.equal((await burst(client, 6)).errors, 0, 'still balancing without the daemon');
    const normal = startDaemon(director, dir ?? '');
    daemon = normal;
    await waitReady(normal);
    normal.signal('SIGTERM');
    await normal.exited;
    assert.equal(await tableText(director), '');
  });
});
