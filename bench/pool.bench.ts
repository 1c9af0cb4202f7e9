/**
 * npm run bench:pool — the nftables pool in a lab (root): h1 director, h2..h4 nginx, h5 client.
 * 1. wrk from the client through the VIP (DNAT + masquerade by `inet keepalived_ts`) vs straight
 *    to one real server; 2. time from a real-server DOWN event to the applied ruleset (reducer +
 *    builder + `nft -j -f`), median/p95 over flips, with 3 and with 100 real servers.
 * Writes bench/results/pool.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Lab, type LabHost } from '../test/support/lab/index.js';
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

async function flipTimes(pool: LabPool, rs: string): Promise<number[]> {
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
    const small = stats(await flipTimes(pool, '[192.0.2.2]:tcp:80'));
    const extra = Array.from({ length: 97 }, (_, i) => `  real_server 198.51.100.${i + 1} 80 {\n    weight 1\n  }\n`).join('');
    await pool.reconfigure(virtualServer('  lb_algo wrr', [[2, 1], [3, 1], [4, 1]], extra));
    const large = stats(await flipTimes(pool, '[192.0.2.3]:tcp:80'));
    await pool.plane.removeAll();
    await pool.runner.close();
    const out = {
      benchmark: 'nftables pool in a lab: wrk through the VIP vs direct; DOWN event -> applied ruleset',
      date: new Date().toISOString(),
      node: process.version,
      cpus: cpus().length,
      wrk: { args: '-t2 -c32 -d5s', direct, viaVip, ratio: Number((viaVip.requestsPerSec / Math.max(1, direct.requestsPerSec)).toFixed(3)),
        note: 'direct = one nginx (1 worker); viaVip = three nginx behind the director, all namespaces sharing the same CPUs: a sanity figure (the NAT path is not a bottleneck), not a like-for-like overhead measure' },
      downToApplied: { flips: FLIPS, realServers3: small, realServers100: large, note: 'pool.send(event) until nft -j -f exited 0 (reducer + builder + temp file + nft via ip netns exec)' },
    };
    const file = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'bench', 'results', 'pool.json');
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, `${JSON.stringify(out, null, 2)}\n`);
    console.log(JSON.stringify(out, null, 2));
  } finally {
    await lab.destroy();
    await removeWorkDir(dir);
  }
}

main().catch((e: unknown) => { console.error(e); process.exitCode = 1; });
