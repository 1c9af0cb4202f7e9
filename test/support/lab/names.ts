/**
 * Naming of lab resources. Every namespace of a run is called `<prefix>-<role>` where the prefix is
 * `kts-<owner pid>-<random hex>`: unique per run, and it tells a later run whether its owner is
 * still alive (leftovers of a killed run are recognised by a dead owner pid).
 */
import { randomBytes } from 'node:crypto';

/** The prefix family of every lab namespace created by this harness. */
export const LAB_FAMILY = 'kts-';

const PREFIX_PATTERN = /^kts-(\d+)-([0-9a-f]{6})-[a-z0-9]+$/;

export function newRunPrefix(pid: number = process.pid): string {
  return `${LAB_FAMILY}${pid}-${randomBytes(3).toString('hex')}`;
}

export function bridgeNamespaceName(prefix: string): string {
  return `${prefix}-br`;
}

export function hostNamespaceName(prefix: string, index: number): string {
  return `${prefix}-h${index}`;
}

/** Parses a namespace name of the family; undefined for any other name (never ours to touch). */
export function parseNamespaceName(name: string): { ownerPid: number; prefix: string } | undefined {
  const m = PREFIX_PATTERN.exec(name);
  if (!m || m[1] === undefined || m[2] === undefined) return undefined;
  return { ownerPid: Number(m[1]), prefix: `${LAB_FAMILY}${m[1]}-${m[2]}` };
}

/** `ip netns list` prints "name (id: 3)" or "name"; keep the names. */
export function parseNetnsList(output: string): string[] {
  return output
    .split('\n')
    .map((line) => line.trim().split(/\s+/)[0] ?? '')
    .filter((name) => name.length > 0);
}

/** Host i (1-based): 192.0.2.i/24, 2001:db8::i/64 and a locally administered MAC 02:6b:74:00:00:ii. */
export function hostAddressing(index: number): { ipv4: string; ipv6: string; mac: string } {
  const hex = index.toString(16).padStart(2, '0');
  return { ipv4: `192.0.2.${index}`, ipv6: `2001:db8::${index.toString(16)}`, mac: `02:6b:74:00:00:${hex}` };
}

/** Highest host count: addresses .1-.99 go to hosts, .100 and up stay free for VIPs. */
export const MAX_HOSTS = 99;
