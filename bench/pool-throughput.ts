/**
 * bench:pool, throughput part: the same wrk load (threads, connections, duration) against the
 * same N nginx real servers three ways, in the same run, interleaved over rounds:
 *   direct  — client-side round robin: wrk thread i connects to real server i (a wrk script's
 *             setup() sets each thread's address), no director in the path;
 *   viaVip  — through the director's VIP (nftables DNAT + masquerade, table inet keepalived_ts);
 *   haproxy — through HAProxy (mode tcp, roundrobin) in the director namespace: the user-space
 *             anchor.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { LabHost } from '../test/support/lab/index.js';

export const HAPROXY_PORT = 8080;

export interface WrkFigures {
  readonly requestsPerSec: number;
  readonly latencyAvg: string;
  readonly latencyP50: string;
  readonly latencyP99: string;
  readonly errors: string;
}

export interface WrkLoad { readonly threads: number; readonly connections: number; readonly durationS: number }

export async function wrk(client: LabHost, url: string, load: WrkLoad, script?: string): Promise<WrkFigures> {
  const args = [`-t${load.threads}`, `-c${load.connections}`, `-d${load.durationS}s`, '--latency', ...(script !== undefined ? ['-s', script] : []), url];
  const r = await client.execOk('wrk', args, { timeoutMs: (load.durationS + 20) * 1000 });
  const pct = (p: string): string => new RegExp(`^\\s+${p}%\\s+(\\S+)`, 'm').exec(r.stdout)?.[1] ?? '?';
  return {
    requestsPerSec: Number(/Requests\/sec:\s+([\d.]+)/.exec(r.stdout)?.[1] ?? 0),
    latencyAvg: /Latency\s+(\S+)/.exec(r.stdout)?.[1] ?? '?',
    latencyP50: pct('50'),
    latencyP99: pct('99'),
    errors: /Socket errors:.*|Non-2xx.*/.exec(r.stdout)?.[0] ?? 'none',
  };
}

/** A wrk script whose threads connect round robin to `addresses` (port 80). */
export async function roundRobinScript(dir: string, addresses: readonly string[]): Promise<string> {
  const file = join(dir, 'wrk-rr.lua');
  const list = addresses.map((a) => `"${a}"`).join(', ');
  await writeFile(file, `-- keepalived-ts bench: thread i -> real server i
local hosts = { ${list} }
local n = 0
function setup(thread)
  n = n + 1
  local host = hosts[((n - 1) % #hosts) + 1]
  thread.addr = wrk.lookup(host, "80")[1]
end
`, { mode: 0o644 });
  return file;
}

/** HAProxy in the director namespace, VIP:HAPROXY_PORT -> the real servers, round robin. */
export async function startHaproxy(director: LabHost, dir: string, vip: string, servers: readonly string[]): Promise<void> {
  const file = join(dir, 'haproxy.cfg');
  await writeFile(file, `global
  maxconn 4096
defaults
  mode tcp
  timeout connect 2s
  timeout client 30s
  timeout server 30s
frontend vip
  bind ${vip}:${HAPROXY_PORT}
  default_backend real
backend real
  balance roundrobin
${servers.map((s, i) => `  server rs${i} ${s}:80\n`).join('')}`, { mode: 0o644 });
  director.spawn('haproxy', ['-db', '-f', file]);
  for (let i = 0; i < 50; i++) {
    const r = await director.exec('curl', ['-s', '-m', '1', `http://${vip}:${HAPROXY_PORT}/`]);
    if (r.exitCode === 0 && r.stdout.trim() !== '') return;
    await new Promise((res) => setTimeout(res, 100));
  }
  throw new Error('haproxy did not come up');
}

export interface ThroughputRound { readonly direct: WrkFigures; readonly viaVip: WrkFigures; readonly haproxy: WrkFigures }

/** Rounds of direct / viaVip / haproxy, interleaved so that drift hits the three alike. */
export async function throughput(client: LabHost, vip: string, servers: readonly string[], dir: string, load: WrkLoad, rounds: number): Promise<Record<string, unknown>> {
  const script = await roundRobinScript(dir, servers);
  const all: ThroughputRound[] = [];
  for (let i = 0; i < rounds; i++) {
    const direct = await wrk(client, `http://${servers[0] ?? ''}/`, load, script);
    const viaVip = await wrk(client, `http://${vip}/`, load);
    const haproxy = await wrk(client, `http://${vip}:${HAPROXY_PORT}/`, load);
    all.push({ direct, viaVip, haproxy });
  }
  const median = (k: keyof ThroughputRound): number => {
    const xs = all.map((r) => r[k].requestsPerSec).sort((a, b) => a - b);
    return xs[Math.floor(xs.length / 2)] ?? 0;
  };
  const [d, v, h] = [median('direct'), median('viaVip'), median('haproxy')];
  return {
    args: `-t${load.threads} -c${load.connections} -d${load.durationS}s --latency (all three)`,
    realServers: servers,
    medianRps: { direct: d, viaVip: v, haproxy: h },
    viaVipOverDirect: Number((v / Math.max(1, d)).toFixed(3)),
    haproxyOverDirect: Number((h / Math.max(1, d)).toFixed(3)),
    viaVipOverHaproxy: Number((v / Math.max(1, h)).toFixed(3)),
    rounds: all,
  };
}
