/**
 * Stateful fakes of the driver's ports for scenario tests: a manual µs clock, a LAN that carries
 * the real advert bytes between transports, a host address table per node, an L2 announcer that
 * records what it announced, link state, and a log. Tests assert on state ("192.0.2.100 is on
 * eth0 of node a"), not on call sequences.
 */
import type {
  AddressPort, DriverClock, DriverLog, DriverPorts, DriverTimerHandle, IncomingVrrpHandler, L2AnnouncePort, LinkEventsPort,
  LinkState, VipSpec, VmacOutcome, VmacPort, VmacSpec, VrrpTransport, VrrpTransportFactory, VrrpTransportSpec,
} from '../../../src/vrrp/ports.js';

export class ManualClock implements DriverClock {
  private now = 1_000_000;
  private nextId = 1;
  private readonly timers = new Map<number, { atUs: number; callback: () => void }>();

  nowUs(): number {
    return this.now;
  }

  setTimer(callback: () => void, delayUs: number): DriverTimerHandle {
    const id = this.nextId++;
    this.timers.set(id, { atUs: this.now + Math.max(0, delayUs), callback });
    return { id };
  }

  clearTimer(handle: DriverTimerHandle): void {
    this.timers.delete(handle.id);
  }

  /** Runs every timer due within `us`, in deadline order, and leaves the clock at now + us. */
  advance(us: number): void {
    const end = this.now + us;
    for (;;) {
      let next: [number, { atUs: number; callback: () => void }] | undefined;
      for (const entry of this.timers) if (entry[1].atUs <= end && (next === undefined || entry[1].atUs < next[1].atUs)) next = entry;
      if (next === undefined) break;
      this.timers.delete(next[0]);
      this.now = Math.max(this.now, next[1].atUs);
      next[1].callback();
    }
    this.now = end;
  }

  /** Moves time without running timers (a busy event loop); the next advance runs the overdue ones. */
  stall(us: number): void {
    this.now += us;
  }

  advanceMs(ms: number): void {
    this.advance(ms * 1000);
  }
}

export interface WirePacket {
  readonly from: string;
  readonly atUs: number;
  readonly bytes: Uint8Array;
  readonly destination: string;
  readonly ttl: number;
}

interface Endpoint {
  readonly node: string;
  readonly spec: VrrpTransportSpec;
  readonly onPacket: IncomingVrrpHandler;
  open: boolean;
}

/** One broadcast domain: every open transport of another node receives each advert at once. */
export class FakeLan {
  readonly wire: WirePacket[] = [];
  private readonly endpoints: Endpoint[] = [];
  readonly down = new Set<string>();

  constructor(private readonly clock: ManualClock) {}

  factory(node: string): VrrpTransportFactory {
    return {
      open: (spec, onPacket): VrrpTransport => {
        const endpoint: Endpoint = { node, spec, onPacket, open: true };
        this.endpoints.push(endpoint);
        return {
          send: (bytes, destination, ttl) => this.deliver(node, spec, Uint8Array.from(bytes), destination, ttl),
          close: () => void (endpoint.open = false),
        };
      },
    };
  }

  /** Injects a packet as if `source` had sent it (hostile adverts). */
  inject(bytes: Uint8Array, family: 'ipv4' | 'ipv6', source: string, destination: string, ttl: number): void {
    for (const e of this.endpoints) if (e.open && e.spec.family === family) e.onPacket({ family, bytes, ttl, source, destination });
  }

  sentBy(node: string): WirePacket[] {
    return this.wire.filter((p) => p.from === node);
  }

  private deliver(from: string, spec: VrrpTransportSpec, bytes: Uint8Array, destination: string, ttl: number): void {
    if (this.down.has(from)) return;
    this.wire.push({ from, atUs: this.clock.nowUs(), bytes, destination, ttl });
    for (const e of this.endpoints) {
      if (!e.open || e.node === from || this.down.has(e.node) || e.spec.family !== spec.family) continue;
      e.onPacket({ family: spec.family, bytes, ttl, source: spec.sourceAddress, destination });
    }
  }
}

/** The addresses on a node's interfaces ("192.0.2.100/24" on "eth0"). */
export class FakeAddresses implements AddressPort {
  readonly table = new Map<string, Set<string>>();

  key(vip: VipSpec): string {
    return `${vip.address}/${vip.prefixLength}`;
  }

  async add(vip: VipSpec): Promise<void> {
    const set = this.table.get(vip.interfaceName) ?? new Set<string>();
    set.add(this.key(vip));
    this.table.set(vip.interfaceName, set);
  }

  async remove(vip: VipSpec): Promise<void> {
    this.table.get(vip.interfaceName)?.delete(this.key(vip));
  }

  async has(vip: VipSpec): Promise<boolean> {
    return this.table.get(vip.interfaceName)?.has(this.key(vip)) ?? false;
  }

  on(interfaceName: string): string[] {
    return [...(this.table.get(interfaceName) ?? [])].sort();
  }
}

export class FakeL2 implements L2AnnouncePort {
  readonly sent: { address: string; interfaceName: string; atUs: number }[] = [];
  constructor(private readonly clock: ManualClock) {}

  async announce(vip: VipSpec): Promise<void> {
    this.sent.push({ address: vip.address, interfaceName: vip.interfaceName, atUs: this.clock.nowUs() });
  }
}

export class FakeLinks implements LinkEventsPort {
  private readonly states = new Map<string, LinkState>();
  private readonly handlers = new Map<string, Set<(s: LinkState) => void>>();

  constructor(up: readonly string[] = ['eth0']) {
    for (const name of up) this.states.set(name, 'up');
  }

  state(interfaceName: string): LinkState | undefined {
    return this.states.get(interfaceName);
  }

  watch(interfaceName: string, handler: (state: LinkState) => void): () => void {
    const set = this.handlers.get(interfaceName) ?? new Set();
    set.add(handler);
    this.handlers.set(interfaceName, set);
    return () => void set.delete(handler);
  }

  set(interfaceName: string, state: LinkState): void {
    this.states.set(interfaceName, state);
    for (const h of [...(this.handlers.get(interfaceName) ?? [])]) h(state);
  }
}

/** A node's interfaces as far as VMACs go: name -> macvlan (base, MAC, private mode) or another kind. */
export class FakeVmacs implements VmacPort {
  readonly interfaces = new Map<string, { kind: 'vmac' | 'other'; base?: string; mac?: string }>();
  /** Every ensure/remove, in order ("ensure vrrp.51 created"). */
  readonly calls: string[] = [];
  /** ensure() of these names fails (a kernel refusal). */
  readonly failing = new Set<string>();

  constructor(private readonly log?: DriverLog) {}

  async ensure(spec: VmacSpec): Promise<VmacOutcome> {
    if (this.failing.has(spec.name)) throw new Error('Operation not permitted');
    const now = this.interfaces.get(spec.name);
    let outcome: VmacOutcome;
    if (now === undefined) {
      this.interfaces.set(spec.name, { kind: 'vmac', base: spec.baseInterface, mac: spec.mac });
      outcome = 'created';
    } else {
      outcome = now.kind === 'vmac' && now.base === spec.baseInterface && now.mac === spec.mac ? 'reused' : 'taken';
    }
    this.calls.push(`ensure ${spec.name} ${outcome}`);
    this.log?.detail(`fake: ensure ${spec.name} ${outcome}`);
    return outcome;
  }

  async remove(spec: VmacSpec): Promise<void> {
    const now = this.interfaces.get(spec.name);
    if (now?.kind === 'vmac' && now.mac === spec.mac) this.interfaces.delete(spec.name);
    this.calls.push(`remove ${spec.name}`);
  }

  names(): string[] {
    return [...this.interfaces.keys()].sort();
  }
}

export class MemoryLog implements DriverLog {
  readonly lines: string[] = [];
  info(message: string): void { this.lines.push(message); }
  warning(message: string): void { this.lines.push(message); }
  error(message: string): void { this.lines.push(`ERROR ${message}`); }
  detail(message: string): void { this.lines.push(`detail: ${message}`); }

  /** Lines without the -D detail ones. */
  main(): string[] {
    return this.lines.filter((l) => !l.startsWith('detail: '));
  }
}

export interface FakeNode {
  readonly ports: DriverPorts;
  readonly addresses: FakeAddresses;
  readonly l2: FakeL2;
  readonly links: FakeLinks;
  readonly log: MemoryLog;
}

export function fakeNode(name: string, lan: FakeLan, clock: ManualClock): FakeNode {
  const addresses = new FakeAddresses();
  const l2 = new FakeL2(clock);
  const links = new FakeLinks();
  const log = new MemoryLog();
  return { addresses, l2, links, log, ports: { transports: lan.factory(name), addresses, l2, links, clock, log } };
}

/** Lets queued promise work (address changes, announcements) run. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
  await new Promise((resolve) => setImmediate(resolve));
}
