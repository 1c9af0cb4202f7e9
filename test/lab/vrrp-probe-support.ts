/**
 * Who answers on a VIP, seen by a client: UDP responders bound to the VIP on the VRRP hosts (each
 * answers with its name, hN) and a probe client on another host (the failover bench's agent,
 * test/support/agents/bench-failover-probe.ts). The client's output says which host answered,
 * run by run, and at the end how many probes were sent and answered.
 */
import { fileURLToPath } from 'node:url';
import type { LabHost, LabProcess } from '../support/lab/index.js';

export const PROBE_AGENT = fileURLToPath(new URL('../support/agents/bench-failover-probe.js', import.meta.url));
export const PROBE_PORT = 7400;

export interface ProbeDone {
  readonly sent: number;
  readonly skipped: number;
  readonly received: number;
  readonly runs: ReadonlyArray<{ readonly name: string; readonly count: number; readonly first: number; readonly last: number }>;
}

/** A responder on each host for each VIP (non-local bind: it binds before the VIP arrives). */
export async function startResponders(hosts: readonly LabHost[], vips: readonly string[]): Promise<void> {
  for (const h of hosts) {
    await h.execOk('sysctl', ['-q', '-w', 'net.ipv4.ip_nonlocal_bind=1']);
    for (const vip of vips) {
      const r = h.spawnNode(PROBE_AGENT, ['responder', `h${h.index}`, vip, String(PROBE_PORT)]);
      await r.waitForLine(/^ready$/, 5_000);
    }
  }
}

/** A client probing one VIP every `intervalMs` from `host`. */
export class ProbeClient {
  private constructor(readonly vip: string, readonly proc: LabProcess) {}

  /** Starts probing; `maxMs` bounds the agent's life. */
  static async start(host: LabHost, vip: string, intervalMs: number, maxMs = 100_000): Promise<ProbeClient> {
    const proc = host.spawnNode(PROBE_AGENT, ['client', vip, String(PROBE_PORT), String(intervalMs), String(maxMs)]);
    await proc.waitForLine(/^ready$/, 5_000);
    return new ProbeClient(vip, proc);
  }

  /** The host names that answered, run by run, so far. */
  runs(): string[] {
    return this.proc.jsonMessages().filter((m) => m['event'] === 'run').map((m) => String(m['name']));
  }

  /** Who answers now (the last run), or undefined before any answer. */
  current(): string | undefined {
    return this.runs().at(-1);
  }

  /**
   * Waits until `name` answers: at once if it is the current answerer, else for a new run of it
   * (runs before this call that ended are not counted).
   */
  async answeredBy(name: string, timeoutMs: number): Promise<void> {
    if (this.current() === name) return;
    let skip = this.proc.stdoutLines.length;
    await this.proc.waitForLine((line) => {
      if (skip > 0) {
        skip--;
        return false;
      }
      return line.includes('"event":"run"') && line.includes(`"name":"${name}"`);
    }, timeoutMs, 'stdout').catch((e: Error) => {
      throw new Error(`${this.vip}: no answer from ${name} within ${timeoutMs} ms (answers so far: ${this.runs().join(' -> ') || 'none'}): ${e.message}`);
    });
  }

  /** Stops probing, waits for the answers in flight and returns the totals. */
  async stop(): Promise<ProbeDone> {
    this.proc.writeLine('stop');
    const line = await this.proc.waitForLine((l) => l.includes('"event":"done"'), 5_000, 'stdout');
    return JSON.parse(line) as ProbeDone;
  }
}
