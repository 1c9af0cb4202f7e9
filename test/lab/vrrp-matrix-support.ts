/**
 * Support of the VRRP interop matrix (vrrp-matrix.test.ts): protocol-derived time bounds, a client
 * that pings the VIP from a third lab host throughout a scenario and reports the longest gap
 * between replies, and FRR 8.4 vrrpd as a peer (lab-recipes.md: zebra + vrrpd in the namespace,
 * a macvlan carrying the virtual MAC and the VIP that vrrpd keeps in protodown while BACKUP).
 */
import { chmodSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { LabHost, LabProcess } from '../support/lab/index.js';
import type { Scratch } from './vrrp-support.js';

/** RFC 5798 Skew_Time in ms for a v3 backup of `priority` (interval in centiseconds, 256 scale). */
export function v3SkewMs(priority: number, advertIntS: number): number {
  const intervalCs = Math.round(advertIntS * 100);
  return Math.floor(((256 - priority) * intervalCs) / 256) * 10;
}

/** RFC 3768 Skew_Time in ms for a v2 backup of `priority`. */
export function v2SkewMs(priority: number): number {
  return ((256 - priority) * 1000) / 256;
}

/** Master_Down_Interval = 3 x Master_Adver_Interval + Skew_Time, in ms. */
export function masterDownMs(skewMs: number, advertIntS: number): number {
  return 3 * advertIntS * 1000 + skewMs;
}

/**
 * A client host pinging the VIP every `intervalMs` (iputils ping, -D timestamps). `longestGapMs`
 * is the longest time without a reply between `start` and `stop`, both ends included.
 */
export class VipClient {
  private readonly replies: number[] = [];
  private readonly proc: LabProcess;
  private readonly startedAtS = Date.now() / 1000;
  private stoppedAtS: number | undefined;

  private constructor(host: LabHost, readonly vip: string, intervalMs: number) {
    const family = vip.includes(':') ? '-6' : '-4';
    this.proc = host.spawn('ping', [family, '-n', '-D', '-i', String(intervalMs / 1000), '-W', '1', vip]);
  }

  /** Starts pinging and waits for the first reply (the VIP must already be reachable). */
  static async start(host: LabHost, vip: string, intervalMs = 50): Promise<VipClient> {
    const client = new VipClient(host, vip, intervalMs);
    await client.proc.waitForLine(/bytes from/, 3_000, 'stdout').catch((e: Error) => {
      throw new Error(`client: no reply from ${vip}: ${e.message}\n${client.proc.stdoutLines.concat(client.proc.stderrLines).join('\n')}`);
    });
    return client;
  }

  async stop(): Promise<void> {
    this.stoppedAtS = Date.now() / 1000;
    this.proc.signal('SIGINT');
    await this.proc.exited;
    for (const line of this.proc.stdoutLines) {
      const m = /^\[(\d+\.\d+)\] \d+ bytes from /.exec(line);
      if (m?.[1] !== undefined) this.replies.push(Number(m[1]));
    }
  }

  /** The longest gap in ms (call after stop) and where it ended (ms after start). */
  gap(): { longestMs: number; endsAtMs: number; replies: number } {
    const stop = this.stoppedAtS ?? Date.now() / 1000;
    const times = [this.startedAtS, ...this.replies.filter((t) => t <= stop), stop];
    let longest = 0;
    let endsAt = 0;
    for (let i = 1; i < times.length; i++) {
      const d = (times[i] ?? 0) - (times[i - 1] ?? 0);
      if (d > longest) {
        longest = d;
        endsAt = (times[i] ?? 0) - this.startedAtS;
      }
    }
    return { longestMs: Math.round(longest * 1000), endsAtMs: Math.round(endsAt * 1000), replies: this.replies.length };
  }
}

export const FRR_MACVLAN = 'vrrp4-2-51';

/** The macvlan FRR switches for VRID 51 over IPv4 (virtual MAC 00:00:5e:00:01:33). */
export async function addFrrMacvlan(host: LabHost, vipCidr: string): Promise<void> {
  await host.ip(['link', 'add', FRR_MACVLAN, 'link', 'eth0', 'type', 'macvlan', 'mode', 'bridge']);
  await host.ip(['link', 'set', FRR_MACVLAN, 'address', '00:00:5e:00:01:33']);
  await host.ip(['addr', 'add', vipCidr, 'dev', FRR_MACVLAN]);
  await host.ip(['link', 'set', FRR_MACVLAN, 'up']);
}

export interface FrrPeer {
  readonly zebra: LabProcess;
  /** Starts (or restarts) vrrpd; zebra stays up. */
  readonly vrrpd: (tag: string) => LabProcess;
}

/** zebra now, vrrpd on demand, with a VRRPv3 IPv4 router VRID 51 (interval in ms, FRR's unit). */
export function startFrr(host: LabHost, scratch: Scratch, priority: number, advertIntMs: number, vip: string): FrrPeer {
  const run = join(scratch.dir, 'frr');
  mkdirSync(run);
  chmodSync(scratch.dir, 0o755);
  chmodSync(run, 0o777);
  const lines = ['interface eth0', ' vrrp 51 version 3', ` vrrp 51 priority ${priority}`, ` vrrp 51 advertisement-interval ${advertIntMs}`, ` vrrp 51 ip ${vip}`, ''];
  const conf = scratch.file('vrrpd.conf', lines.join('\n'));
  chmodSync(conf, 0o644);
  const common = ['--vty_socket', run, '-z', join(run, 'zserv.api')];
  const zebra = host.spawn('/usr/lib/frr/zebra', ['-N', 'lab', '-f', '/dev/null', ...common, '-i', join(run, 'zebra.pid'), '--log', `file:${join(run, 'zebra.log')}`]);
  const vrrpd = (tag: string): LabProcess => host.spawn('/usr/lib/frr/vrrpd', ['-N', 'lab', '-f', conf, ...common, '-i', join(run, `vrrpd-${tag}.pid`), '--log', 'stdout']);
  return { zebra, vrrpd };
}

/** FRR is MASTER iff its macvlan is out of protodown. */
export async function frrIsMaster(host: LabHost): Promise<boolean> {
  const links = await host.ipJson(['-d', 'link', 'show', 'dev', FRR_MACVLAN]);
  return links[0]?.['proto_down'] !== true;
}

export async function waitFrrMaster(host: LabHost, wanted: boolean, timeoutMs: number): Promise<number> {
  const start = performance.now();
  while (performance.now() - start < timeoutMs) {
    if ((await frrIsMaster(host)) === wanted) return Math.round(performance.now() - start);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`FRR vrrpd never became ${wanted ? 'MASTER' : 'BACKUP'} (protodown) within ${timeoutMs} ms`);
}
