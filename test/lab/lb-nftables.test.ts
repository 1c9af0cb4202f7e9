/**
 * Lab: the nftables data plane balancing real HTTP traffic. h1 director (VIP 192.0.2.100:80, the
 * pool and its `inet keepalived_ts` table), h2..h4 nginx real servers, h5 client, h6 nginx sorry
 * server. See lb-support.ts for the topology (masquerade instead of routing via the director).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Lab } from '../support/lab/index.js';
import { existsSync } from 'node:fs';
import { selectDataPlane } from '../../src/lb/plane-select.js';
import { linuxDataPlaneFactories } from '../../src/os/linux/data-plane-factory.js';
import { LinuxProcessRunner } from '../../src/os/linux/process-runner.js';
import {
  BIG_FILE_BYTES, burst, CLIENT_SCRIPT, LabPool, makeWorkDir, removeWorkDir, setupDirector, startNginx, VIP, virtualServer,
} from './lb-support.js';

const VS = `[${VIP}]:tcp:80`;
const RS = (n: number): string => `[192.0.2.${n}]:tcp:80`;
const WRR_123 = virtualServer('  lb_algo wrr', [[2, 1], [3, 2], [4, 3]]);

function ratioWithin(actual: number, expected: number, tolerance: number): boolean {
  return Math.abs(actual - expected) <= expected * tolerance;
}

describe('lb nftables data plane (lab)', { timeout: 90_000 }, () => {
  let lab: Lab;
  let dir: string | undefined;
  let pool: LabPool;

  before(async () => {
    if (process.getuid?.() !== 0) throw new Error('lb-nftables lab test must run as root (network namespaces, nft)');
    lab = await Lab.create({ hosts: 6 });
    dir = await makeWorkDir();
    await setupDirector(lab.host(1));
    await Promise.all([2, 3, 4].map((n) => startNginx(lab.host(n), `h${n}`, dir ?? '')));
    await startNginx(lab.host(6), 'sorry', dir ?? '');
    pool = new LabPool(lab.host(1), WRR_123);
    // A leftover table of a "killed daemon": start() must clean it.
    await lab.host(1).execOk('nft', ['add table inet keepalived_ts; add chain inet keepalived_ts stale']);
    const started = await pool.plane.start();
    assert.ok(started.ok);
    assert.doesNotMatch(await pool.ruleset(), /stale/);
  });

  after(async () => {
    await pool?.runner.close();
    await lab?.destroy();
    await removeWorkDir(dir);
  });

  it('auto selects IPVS when the kernel has it, else nftables, and says so', async () => {
    const factories = linuxDataPlaneFactories({ runner: new LinuxProcessRunner(), nftables: { argvPrefix: ['ip', 'netns', 'exec', lab.host(1).namespace] } });
    const s = await selectDataPlane('auto', factories);
    assert.ok(s.ok, s.report);
    if (existsSync('/proc/net/ip_vs')) assert.equal(s.plane.kind, 'ipvs', s.report);
    else assert.match(s.report, /^lb data plane: auto -> nftables \(table inet keepalived_ts\) \(no IPVS: IPVS is not available: /);
    console.log(s.report);
    const explicit = await selectDataPlane('ipvs', factories);
    assert.equal(explicit.ok, existsSync('/proc/net/ip_vs'), explicit.report);
  });

  it('wrr 1:2:3: 600 new connections through the VIP reach every real server in the weight ratio', async () => {
    await pool.apply();
    const r = await burst(lab.host(5), 600);
    assert.equal(r.errors, 0, r.lastError);
    for (const [name, expected] of [['h2', 100], ['h3', 200], ['h4', 300]] as const) {
      assert.ok(ratioWithin(r.counts[name] ?? 0, expected, 0.1), `${name}: ${JSON.stringify(r.counts)}`);
    }
  });

  it('a real server marked DOWN gets no new connection; UP brings it back', async () => {
    await pool.send({ type: 'rs-down', vs: VS, rs: RS(3) });
    const r = await burst(lab.host(5), 200);
    assert.equal(r.errors, 0, r.lastError);
    assert.equal(r.counts['h3'], undefined, JSON.stringify(r.counts));
    assert.ok(ratioWithin(r.counts['h4'] ?? 0, 150, 0.1), JSON.stringify(r.counts));
    await pool.send({ type: 'rs-up', vs: VS, rs: RS(3) });
    const back = await burst(lab.host(5), 60);
    assert.ok((back.counts['h3'] ?? 0) > 0, JSON.stringify(back.counts));
  });

  it('all real servers down: the sorry server answers; back up: it leaves', async () => {
    await pool.reconfigure(virtualServer('  lb_algo wrr\n  sorry_server 192.0.2.6 80', [[2, 1], [3, 2], [4, 3]]));
    await pool.send(...[2, 3, 4].map((n) => ({ type: 'rs-down' as const, vs: VS, rs: RS(n) })));
    const r = await burst(lab.host(5), 30);
    assert.deepEqual(r.counts, { sorry: 30 });
    await pool.send({ type: 'rs-up', vs: VS, rs: RS(2) });
    assert.deepEqual((await burst(lab.host(5), 20)).counts, { h2: 20 });
  });

  it('inhibit_on_failure: the failed server stays at weight 0 (in the ruleset, no new connections)', async () => {
    await pool.reconfigure(virtualServer('  lb_algo rr\n  inhibit_on_failure', [[2, 1], [3, 1], [4, 1]]));
    const chainsBefore = (await pool.ruleset()).match(/chain rs_/g)?.length;
    await pool.send({ type: 'rs-down', vs: VS, rs: RS(4) });
    const rules = await pool.ruleset();
    assert.equal(rules.match(/chain rs_/g)?.length, chainsBefore, 'the inhibited server keeps its chain');
    assert.match(rules, /dnat ip to 192\.0\.2\.4:80/);
    const r = await burst(lab.host(5), 90);
    assert.deepEqual(r.counts, { h2: 45, h3: 45 }, 'rr over the two live servers only');
  });

  it('persistence (rr + persistence_timeout) and sh: one client sticks to one server, several clients spread', async () => {
    await pool.reconfigure(virtualServer('  lb_algo rr\n  persistence_timeout 30', [[2, 1], [3, 1], [4, 1]]));
    const sticky = await burst(lab.host(5), 40);
    assert.equal(Object.keys(sticky.counts).length, 1, JSON.stringify(sticky.counts));
    await pool.reconfigure(virtualServer('  lb_algo sh', [[2, 1], [3, 1], [4, 1]]));
    const sources = Array.from({ length: 12 }, (_, i) => `192.0.2.${51 + i}`);
    for (const s of sources) await lab.host(5).ip(['addr', 'add', `${s}/24`, 'dev', 'eth0']);
    const r = await burst(lab.host(5), 120, sources);
    assert.equal(r.errors, 0, r.lastError);
    for (const [src, per] of Object.entries(r.bySource)) assert.equal(Object.keys(per).length, 1, `${src} sticks: ${JSON.stringify(per)}`);
    assert.ok(Object.keys(r.counts).length >= 2, `12 clients use several servers: ${JSON.stringify(r.counts)}`);
  });

  it('a long download survives a weight change and the removal of its server from new scheduling', async () => {
    await pool.reconfigure(virtualServer('  lb_algo wrr\n  inhibit_on_failure', [[2, 1], [3, 1], [4, 1]]));
    const dl = lab.host(5).spawn(process.execPath, [CLIENT_SCRIPT, 'slow', `http://${VIP}/big.bin`]);
    const started = await dl.waitForJson((m) => m['started'] === true, 5_000);
    const server = String(started['server']);
    const n = Number(server.slice(1));
    const t0 = performance.now();
    await pool.send({ type: 'rs-weight', vs: VS, rs: RS(n === 2 ? 3 : 2), weight: 7 });
    await pool.send({ type: 'rs-down', vs: VS, rs: RS(n) });
    const fresh = await burst(lab.host(5), 20);
    assert.equal(fresh.counts[server], undefined, `no new connection to ${server}: ${JSON.stringify(fresh.counts)}`);
    const done = await dl.waitForJson((m) => m['done'] === true || m['error'] !== undefined, 15_000);
    assert.deepEqual([done['done'], done['bytes'], done['server']], [true, BIG_FILE_BYTES, server]);
    assert.ok(performance.now() - t0 > 1_000, 'the download was still running during the changes');
  });

  it('a rejected transaction keeps the previous ruleset; removeAll drops the table', async () => {
    const before = await pool.ruleset();
    const bad = await pool.plane.apply({ services: [{ id: 'bad', protocol: 'tcp', scheduler: 'rr', schedulerFlags: [], forwarding: 'NAT',
      matches: [{ kind: 'address', family: 'inet', first: VIP, last: VIP, port: 8080 }],
      dests: [{ id: 'x', role: 'real', address: 'not-an-address', family: 'inet', port: 80, weight: 1, forwarding: 'NAT' }] }] });
    assert.equal(bad.ok, false);
    assert.equal(await pool.ruleset(), before);
    assert.equal((await burst(lab.host(5), 6)).errors, 0, 'still balancing');
    assert.ok((await pool.plane.removeAll()).ok);
    assert.doesNotMatch(await pool.ruleset(), /keepalived_ts/);
  });
});
