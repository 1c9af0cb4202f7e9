/**
 * npm run bench:pool — the nftables pool in a lab (root): h1 director, h2..h4 nginx, h5 client.
 * 1. wrk from the client through the VIP (DNAT + masquerade by `inet keepalived_ts`) vs straight
 *    to one real server; 2. time from a real-server DOWN event to the applied ruleset (reducer +
 *    builder + nft), median/p95 over flips, with 3 and with 100 real servers, for each way of
 *    running nft: the long-lived `nft -j -i` coprocess (the default), and one-shot runs, both
 *    through `ip netns exec` (as the previous figures) and through `nsenter --net` (closer to the
 *    daemon, which runs nft in its own namespace with no wrapper).
 * Writes bench/results/pool.json (the previous run's downToApplied kept as `before`).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Lab, type LabHost } from '../test/support/lab/index.js';
import { LinuxProcessRunner } from '../src/os/linux/process-runner.js';
import { NftRunner, type NftRunnerOptions } from '../src/os/linux/nft-runner.js';
import { NftablesDataPlane } from '../src/lb/planes/nft-plane.js';
import { desiredPool } from '../src/lb/pool-desired.js';
import { reducePool } from '../src/lb/pool-reducer.js';
import { initialPoolState, type PoolState } from '../src/lb/pool-state.js';
import type { PoolEvent } from '../src/lb/pool-types.js';
import { lvsModel } from '../test/scenario/lb/pool-support.js';
import { LabPool, makeWorkDir, removeWorkDir, setupDirector, startNginx, VIP, virtualServer } from '../test/lab/lb-support.js';

const FLIPS = 30;

interface WrkFigures { readonly requestsPerSec: number; readonly latencyAvg: string; readonly errors: string }

async function wrk(client: LabHost, url: string): Promise<WrkFigures> {
  const r = await client.execOk('wrk', ['-t2', '-c32', '-d5s', url], { timeoutMs: 30_000 });
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(r.stdout)?.[1];
  const lat = /Latency\s+(\S+)/.exec(r.stdout)?.[1];
  const errors = /Socket errors:.*|Non-2xx.*/.exec(r.stdout)?.[0] ?? 'none';
  return { requestsPerSec: Number(rps ?? 0), latencyAvg: lat ?? '?', errors };
}

function stats(xs: number[]): { medianMs: number; p95Ms: number; maxMs: number } {
  const s = [...xs].sort((a, b) => a - b);
  const at = (q: number): number => Number((s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? 0).toFixed(2));
  return { medianMs: at(0.5), p95Ms: at(0.95), maxMs: at(1) };
}

/** The pool of the director with a chosen way of running nft (reducer + plane, as the daemon). */
class BenchPool {
  state: PoolState;
  readonly runner: NftRunner;
  readonly plane: NftablesDataPlane;
  constructor(config: string, options: NftRunnerOptions) {
    this.state = initialPoolState(lvsModel(config));
    this.runner = new NftRunner(new LinuxProcessRunner(), options);
    this.plane = new NftablesDataPlane(this.runner, { masquerade: true });
  }
  async send(e: PoolEvent): Promise<void> {
    this.state = reducePool(this.state, e).state;
    const r = await this.plane.apply(desiredPool(this.state));
    if (!r.ok) throw new Error(r.error);
  }
}

type Mode = 'session' | 'oneShotIpNetnsExec' | 'oneShotNsenter';

function runnerOptions(mode: Mode, ns: string): NftRunnerOptions {
  switch (mode) {
    case 'session': return { argvPrefix: ['ip', 'netns', 'exec', ns] };
    case 'oneShotIpNetnsExec': return { argvPrefix: ['ip', 'netns', 'exec', ns], session: false };
    case 'oneShotNsenter': return { argvPrefix: ['nsenter', `--net=/run/netns/${ns}`], session: false };
  }
}

async function modeFigures(director: LabHost, mode: Mode, extra: string): Promise<Record<string, unknown>> {
  const small = new BenchPool(virtualServer('  lb_algo wrr', [[2, 1], [3, 1], [4, 1]]), runnerOptions(mode, director.namespace));
  await small.plane.apply(desiredPool(small.state));
  const s3 = stats(await flipTimes(small, '[192.0.2.2]:tcp:80'));
  await small.runner.close();
  const large = new BenchPool(virtualServer('  lb_algo wrr', [[2, 1], [3, 1], [4, 1]], extra), runnerOptions(mode, director.namespace));
  await large.plane.apply(desiredPool(large.state));
  const s100 = stats(await flipTimes(large, '[192.0.2.3]:tcp:80'));
  await large.plane.removeAll();
  await large.runner.close();
  return { realServers3: s3, realServers100: s100 };
}

function previousDownToApplied(file: string): unknown {
  try {
    const old = JSON.parse(readFileSync(file, 'utf8')) as { downToApplied?: { before?: unknown; realServers3?: unknown; realServers100?: unknown; note?: string } };
    return old.downToApplied?.before ?? { realServers3: old.downToApplied?.realServers3, realServers100: old.downToApplied?.realServers100, note: old.downToApplied?.note };
  } catch {
    return undefined;
  }
}

async function flipTimes(pool: { send(e: PoolEvent): Promise<unknown> }, rs: string): Promise<number[]> {
  const vs = `[${VIP}]:tcp:80`;
  const times: number[] = [];
  for (let i = 0; i < FLIPS; i++) {
    const t0 = performance.now();
    await pool.send({ type: i % 2 === 0 ? 'rs-down' : 'rs-up', vs, rs });
    times.push(performance.now() - t0);
  }
  return times;
}

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error('bench:pool needs root (network namespaces)');
  const file = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'bench', 'results', 'pool.json');
  const lab = await Lab.create({ hosts: 5 });
  const dir = await makeWorkDir();
  try {
    await setupDirector(lab.host(1));
    await Promise.all([2, 3, 4].map((n) => startNginx(lab.host(n), `h${n}`, dir)));
    const pool = new LabPool(lab.host(1), virtualServer('  lb_algo wrr', [[2, 1], [3, 1], [4, 1]]));
    await pool.plane.start();
    await pool.apply();
    const direct = await wrk(lab.host(5), `http://${lab.host(2).ipv4}/`);
    const viaVip = await wrk(lab.host(5), `http://${VIP}/`);
    await pool.plane.removeAll();
    await pool.runner.close();
    const extra = Array.from({ length: 97 }, (_, i) => `  real_server 198.51.100.${i + 1} 80 {\n    weight 1\n  }\n`).join('');
    const modes: Record<string, unknown> = {};
    for (const mode of ['session', 'oneShotIpNetnsExec', 'oneShotNsenter'] as const) modes[mode] = await modeFigures(lab.host(1), mode, extra);
    const out = {
      benchmark: 'nftables pool in a lab: wrk through the VIP vs direct; DOWN event -> applied ruleset',
      date: new Date().toISOString(),
      node: process.version,
      cpus: cpus().length,
      wrk: { args: '-t2 -c32 -d5s', direct, viaVip, ratio: Number((viaVip.requestsPerSec / Math.max(1, direct.requestsPerSec)).toFixed(3)),
        note: 'direct = one nginx (1 worker); viaVip = three nginx behind the director, all namespaces sharing the same CPUs: a sanity figure (the NAT path is not a bottleneck), not a like-for-like overhead measure' },
      downToApplied: {
        flips: FLIPS,
        ...modes,
        before: previousDownToApplied(file),
        note: 'pool.send(event) until the transaction is applied (reducer + builder + nft). session = one long-lived nft -j -i (via ip netns exec, started once) per plane, the daemon default, for batches up to 12 KB (the libedit of nft reads a non-tty stdin one byte per read(2): 100 servers = 45 KB go one-shot); oneShot* = one nft -j JSON run per batch (the fallback); before = one nft -j -f FILE run per batch with a 50 ms pipe linger in the process runner',
      },
    };
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, `${JSON.stringify(out, null, 2)}\n`);
    console.log(JSON.stringify(out, null, 2));
  } finally {
    await lab.destroy();
    await removeWorkDir(dir);
  }
}

main().catch((e: unknown) => { console.error(e); process.exitCode = 1; });
