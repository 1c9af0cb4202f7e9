/**
 * `ha_suspend` (virtual_server): the checkers of such a virtual server run only while its address
 * is configured on this host, keepalived 2.2.7's way (check_api.c, described, not copied):
 *
 * - the host's addresses come from the kernel (a dump at start, then address events); an address
 *   held by several interfaces counts once per interface and is gone only when the last one goes;
 * - at start each checker of an ha_suspend virtual server logs
 *   "Activating healthchecker for service RS for VS VS" (address present) or
 *   "Deactivating healthchecker for service RS for VS VS" (absent);
 * - later, "Activating ..." / "Suspending healthchecker for service RS for VS VS" as the address
 *   comes and goes;
 * - a suspended checker probes nothing (its timer comes back every delay_loop) and the pool is not
 *   touched: its real server keeps the state it had;
 * - fwmark virtual servers cannot use it (the config layer clears it); for a
 *   virtual_server_group, any address of the group's address entries (ranges) counts.
 *
 * AddressPresencePort is the kernel side (src/os/linux/address-presence-linux.ts); HaSuspendGate
 * is pure.
 */
import type { LvsModel, VirtualServer, VirtualServerGroup } from '../config/model/lvs.js';
import { parseIp } from '../proto/inet-address.js';

/** One address on one interface appeared (`present`) or went away. */
export interface AddressChange {
  readonly address: string;
  readonly interfaceIndex: number;
  readonly present: boolean;
}

export interface AddressPresencePort {
  /**
   * Starts following the host's addresses: resolves with the ones configured now (one entry per
   * interface holding it); later changes go to `onChange`.
   */
  open(onChange: (change: AddressChange) => void): Promise<readonly AddressChange[]>;
  close(): void;
}

/** A canonical key for an IPv4/IPv6 address text (undefined when it is not one). */
export function addressKey(text: string): string | undefined {
  try {
    return Buffer.from(parseIp(text)).toString('hex');
  } catch {
    return undefined;
  }
}

type AddressMatcher = (key: string) => boolean;

function rangeMatcher(first: string, last: string): AddressMatcher | undefined {
  const lo = addressKey(first);
  const hi = addressKey(last);
  if (lo === undefined || hi === undefined) return undefined;
  return (key) => key.length === lo.length && key >= lo && key <= hi;
}

function matcherOf(vs: VirtualServer, groups: ReadonlyMap<string, VirtualServerGroup>): AddressMatcher | undefined {
  const k = vs.key;
  if (k.kind === 'address') return rangeMatcher(k.endpoint.address, k.endpoint.address);
  if (k.kind !== 'group') return undefined;
  const ranges = (groups.get(k.group)?.entries ?? []).flatMap((e) => (e.kind === 'range' ? [rangeMatcher(e.first, e.last)] : []));
  const ok = ranges.filter((m): m is AddressMatcher => m !== undefined);
  return (key) => ok.some((m) => m(key));
}

export interface SuspendChange {
  readonly virtualServer: string;
  readonly active: boolean;
}

/** Which ha_suspend virtual servers are active, from the host's address events. Pure. */
export class HaSuspendGate {
  /** address key -> interfaces holding it */
  private readonly held = new Map<string, Set<number>>();
  private matchers = new Map<string, AddressMatcher>();
  private active = new Map<string, boolean>();

  /** Whether any virtual server of `lvs` uses ha_suspend (nothing to follow otherwise). */
  static needed(lvs: LvsModel | undefined): boolean {
    return (lvs?.virtualServers ?? []).some((vs) => vs.haSuspend);
  }

  /** The configuration's ha_suspend virtual servers (start and reload); returns activity changes. */
  configure(lvs: LvsModel | undefined): SuspendChange[] {
    this.matchers = new Map();
    for (const vs of lvs?.virtualServers ?? []) {
      if (!vs.haSuspend) continue;
      const m = matcherOf(vs, lvs?.groups ?? new Map());
      if (m !== undefined) this.matchers.set(vs.name, m);
    }
    const before = this.active;
    this.active = new Map([...this.matchers.keys()].map((name) => [name, this.compute(name)]));
    const out: SuspendChange[] = [];
    for (const [name, active] of this.active) if (before.has(name) && before.get(name) !== active) out.push({ virtualServer: name, active });
    return out;
  }

  /** Replaces the address view (the dump at start, or after lost events); returns activity changes. */
  reset(addresses: readonly AddressChange[]): SuspendChange[] {
    this.held.clear();
    for (const a of addresses) if (a.present) this.hold(a);
    return this.recompute();
  }

  /** One address event; returns the activity changes it causes. */
  apply(change: AddressChange): SuspendChange[] {
    if (change.present) this.hold(change);
    else {
      const key = addressKey(change.address);
      const set = key === undefined ? undefined : this.held.get(key);
      set?.delete(change.interfaceIndex);
      if (key !== undefined && set?.size === 0) this.held.delete(key);
    }
    return this.recompute();
  }

  /** Whether the checkers of `virtualServer` should run (true for one without ha_suspend). */
  isActive(virtualServer: string): boolean {
    return this.active.get(virtualServer) ?? true;
  }

  /** Whether `virtualServer` is an ha_suspend one. */
  governs(virtualServer: string): boolean {
    return this.matchers.has(virtualServer);
  }

  private hold(a: AddressChange): void {
    const key = addressKey(a.address);
    if (key === undefined) return;
    const set = this.held.get(key) ?? new Set<number>();
    set.add(a.interfaceIndex);
    this.held.set(key, set);
  }

  private compute(name: string): boolean {
    const m = this.matchers.get(name);
    if (m === undefined) return true;
    for (const key of this.held.keys()) if (m(key)) return true;
    return false;
  }

  private recompute(): SuspendChange[] {
    const out: SuspendChange[] = [];
    for (const [name, was] of this.active) {
      const now = this.compute(name);
      if (now === was) continue;
      this.active.set(name, now);
      out.push({ virtualServer: name, active: now });
    }
    return out;
  }
}
