/**
 * Lab support of the load-balancing tests: nginx real servers in lab hosts, a director host whose
 * pool (reducer + nftables plane) runs in this process with `nft` executed inside the director's
 * namespace, and the client script (lb-client.ts).
 *
 * Topology (one lab bridge, 192.0.2.0/24): h1 director with the VIP 192.0.2.100/32, ip_forward on,
 * redirects off; h2..h4 real servers; h5 client; h6 sorry server. Client and real servers share
 * the subnet, so replies would bypass the director: the ruleset masquerades the balanced flows
 * (ct status dnat -> masquerade) instead of changing the real servers' routes.
 */
import assert from 'node:assert/strict';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LinuxProcessRunner } from '../../src/os/linux/process-runner.js';
import { NftRunner } from '../../src/os/linux/nft-runner.js';
import { NftablesDataPlane } from '../../src/lb/planes/nft-plane.js';
import { initialPoolState, type PoolState } from '../../src/lb/pool-state.js';
import { reducePool } from '../../src/lb/pool-reducer.js';
import { desiredPool } from '../../src/lb/pool-desired.js';
import type { PoolEvent } from '../../src/lb/pool-types.js';
import type { ApplyResult } from '../../src/lb/data-plane.js';
import { lvsModel } from '../scenario/lb/pool-support.js';
import type { LabHost, LabProcess } from '../support/lab/index.js';

export const VIP = '192.0.2.100';
export const CLIENT_SCRIPT = join(fileURLToPath(new URL('.', import.meta.url)), 'lb-client.js');
export const BIG_FILE_BYTES = 1_200_000;

export async function makeWorkDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'kts-lb-lab-'));
  await chmod(dir, 0o755); // nginx workers run as nobody
  await writeFile(join(dir, 'big.bin'), Buffer.alloc(BIG_FILE_BYTES, 0x61), { mode: 0o644 });
  return dir;
}

export async function removeWorkDir(dir: string | undefined): Promise<void> {
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
}

/**
 * nginx answering `<name>\n` on /, and /big.bin at 300 KB/s with an X-Server header; on the host's
 * address, plus `alsoListen` (e.g. a DR real server's VIP).
 */
export async function startNginx(host: LabHost, name: string, dir: string, alsoListen: readonly string[] = []): Promise<LabProcess> {
  const p = (f: string): string => join(dir, `${name}-${f}`);
  const conf = `worker_processes 1;
pid ${p('nginx.pid')};
error_log ${p('error.log')};
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path ${p('body')}; proxy_temp_path ${p('proxy')}; fastcgi_temp_path ${p('fcgi')};
  uwsgi_temp_path ${p('uwsgi')}; scgi_temp_path ${p('scgi')};
  keepalive_timeout 30s;
  server {
    listen ${host.ipv4}:80;${alsoListen.map((a) => `\n    listen ${a}:80;`).join('')}
    add_header X-Server ${name} always;
    location = / { default_type text/plain; return 200 "${name}\\n"; }
    location = /big.bin { root ${dir}; limit_rate 300k; }
  }
}
`;
  await writeFile(p('nginx.conf'), conf, { mode: 0o644 });
  const proc = host.spawn('nginx', ['-c', p('nginx.conf'), '-g', 'daemon off;']);
  for (let i = 0; i < 50; i++) {
    const r = await host.exec('curl', ['-s', '-m', '1', `http://${host.ipv4}/`]);
    if (r.exitCode === 0 && r.stdout.trim() === name) return proc;
    await new Promise((res) => setTimeout(res, 100));
  }
  const log = await readFile(p('error.log'), 'utf8').catch(() => '');
  throw new Error(`nginx ${name} on ${host.ipv4} did not come up: ${log.trim().split('\n').slice(-3).join(' | ')}`);
}

export async function setupDirector(director: LabHost): Promise<void> {
  await director.ip(['addr', 'add', `${VIP}/32`, 'dev', 'eth0']);
  for (const key of ['net.ipv4.ip_forward=1', 'net.ipv4.conf.all.send_redirects=0', 'net.ipv4.conf.eth0.send_redirects=0']) {
    await director.execOk('sysctl', ['-q', '-w', key]);
  }
}

/** The pool of the director: reducer state + nftables plane inside the director namespace. */
export class LabPool {
  state: PoolState;
  readonly runner: NftRunner;
  readonly plane: NftablesDataPlane;
  readonly applied: ApplyResult[] = [];

  constructor(readonly director: LabHost, config: string) {
    this.state = initialPoolState(lvsModel(config));
    this.runner = new NftRunner(new LinuxProcessRunner(), { argvPrefix: ['ip', 'netns', 'exec', director.namespace] });
    this.plane = new NftablesDataPlane(this.runner, { masquerade: true });
  }

  /** Replaces the configuration (like a reload), keeping the plane and its table. */
  reconfigure(config: string): Promise<ApplyResult> {
    this.state = initialPoolState(lvsModel(config));
    return this.apply();
  }

  async send(...events: PoolEvent[]): Promise<ApplyResult> {
    for (const e of events) this.state = reducePool(this.state, e).state;
    return this.apply();
  }

  async apply(): Promise<ApplyResult> {
    const r = await this.plane.apply(desiredPool(this.state));
    this.applied.push(r);
    assert.ok(r.ok, `apply failed: ${r.ok ? '' : r.error}`);
    return r;
  }

  async ruleset(): Promise<string> {
    return (await this.director.execOk('nft', ['list', 'ruleset'])).stdout;
  }
}

export interface BurstResult {
  readonly counts: Record<string, number>;
  readonly bySource: Record<string, Record<string, number>>;
  readonly errors: number;
  readonly lastError: string;
}

export async function burst(client: LabHost, n: number, sources: readonly string[] = []): Promise<BurstResult> {
  const args = [CLIENT_SCRIPT, 'burst', `http://${VIP}/`, String(n), ...(sources.length > 0 ? [sources.join(',')] : [])];
  const r = await client.execOk(process.execPath, args, { timeoutMs: 60_000 });
  return JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}') as BurstResult;
}

export function virtualServer(body: string, servers: readonly (readonly [number, number])[], extra = ''): string {
  const rs = servers.map(([n, w]) => `  real_server 192.0.2.${n} 80 {\n    weight ${w}\n    TCP_CHECK {\n      connect_timeout 1\n    }\n  }\n`).join('');
  return `virtual_server ${VIP} 80 {\n  lb_kind NAT\n  protocol TCP\n${body}\n${extra}\n${rs}}\n`;
}
