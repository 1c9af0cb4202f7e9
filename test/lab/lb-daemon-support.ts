/**
 * Lab support of the daemon-level load-balancing test (lb-daemon.test.ts): the real
 * `keepalived-ts -n -l -C` runs on the director h1 and owns `table inet keepalived_ts`; h2..h4 are
 * nginx real servers, h5 the client, h6 the sorry server.
 *
 * Classic LVS-NAT topology: the daemon's ruleset only DNATs (no masquerade option), so every real
 * server (and the sorry server) routes the client's address back via the director, whose
 * conntrack un-NATs the replies.
 */
import { writeFile } from 'node:fs/promises';
import type { LabHost, LabProcess } from '../support/lab/index.js';
import { spawnDaemon } from '../support/lab-daemon.js';
import { VIP } from './lb-support.js';

export { KEEPALIVED_TS } from '../support/lab-daemon.js';
export const TABLE = 'keepalived_ts';
export const DELAY_LOOP_S = 1;
export const RETRY = 1;
/** The brief's bound: delay_loop x (retry + 1) + 1 s. */
export const DOWN_BOUND_MS = DELAY_LOOP_S * (RETRY + 1) * 1000 + 1000;
/** How long a daemon start (config load, leftover cleanup, first apply) may take in the lab. */
export const START_TIMEOUT_MS = 15_000;
export const POLL_MS = 25;

export interface DaemonConfig {
  readonly weights: readonly [number, number, number];
  readonly fifo: string;
}

export function daemonConfig(c: DaemonConfig): string {
  const rs = c.weights.map((w, i) => `  real_server 192.0.2.${i + 2} 80 {
    weight ${w}
    TCP_CHECK {
      connect_timeout 1
      retry ${RETRY}
      delay_before_retry 1
    }
  }
`).join('');
  return `global_defs {
  lvs_notify_fifo ${c.fifo}
}
virtual_server ${VIP} 80 {
  delay_loop ${DELAY_LOOP_S}
  lb_algo wrr
  lb_kind NAT
  protocol TCP
  sorry_server 192.0.2.6 80
${rs}}
`;
}

export async function writeConfig(path: string, c: DaemonConfig): Promise<void> {
  await writeFile(path, daemonConfig(c), { mode: 0o644 });
}

/** Real servers (and the sorry server) send replies for the client back through the director. */
export async function routeRepliesViaDirector(hosts: readonly LabHost[], client: LabHost, director: LabHost): Promise<void> {
  for (const h of hosts) await h.ip(['route', 'add', `${client.ipv4}/32`, 'via', director.ipv4]);
}

export function startDaemon(director: LabHost, dir: string, extra: readonly string[] = []): LabProcess {
  return spawnDaemon(director, dir, ['-G', '-C', ...extra]);
}

/** Waits for the pool's "ready" line (plane selected, leftover removed, first apply done). */
export function waitReady(daemon: LabProcess): Promise<string> {
  return daemon.waitForLine(/lb: nftables \(table inet keepalived_ts\) ready/, START_TIMEOUT_MS);
}

/** The director's table as text ('' when absent). */
export async function tableText(director: LabHost): Promise<string> {
  const r = await director.exec('nft', ['list', 'table', 'inet', TABLE]);
  return r.exitCode === 0 ? r.stdout : '';
}

export function dnatTo(rsIp: string): RegExp {
  return new RegExp(`dnat ip to ${rsIp.replaceAll('.', '\\.')}:80`);
}

/** Polls the table until `pred` holds; resolves with the time it held, or rejects at the deadline. */
export async function waitTable(director: LabHost, pred: (text: string) => boolean, timeoutMs: number, what: string): Promise<number> {
  const deadline = performance.now() + timeoutMs;
  let last = '';
  while (performance.now() < deadline) {
    last = await tableText(director);
    if (pred(last)) return performance.now();
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
  throw new Error(`table never ${what} within ${timeoutMs} ms; last:\n${last}`);
}
