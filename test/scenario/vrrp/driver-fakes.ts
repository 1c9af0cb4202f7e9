/**
 * Stateful fakes of the driver's ports for scenario tests: a manual µs clock, a LAN that carries
 * the real advert bytes between transports, a host address table per node, an L2 announcer that
 * records what it announced, link state, and a log. Tests assert on state ("192.0.2.100 is on
 * eth0 of node a"), not on call sequences.
 */
import assert from 'node:assert/strict';
import type {
  AddressPort, DriverClock, DriverLog, DriverPorts, DriverTimerHandle, IncomingVrrpHandler, L2AnnouncePort, LinkEventsPort,
  LinkState, RouteEntry, RoutePort, RuleEntry, VipSpec, VmacOutcome, VmacPort, VmacSpec, VrrpTransport, VrrpTransportFactory, VrrpTransportSpec,
} from '../../../src/vrrp/ports.js';
import type { InstanceBinding } from '../../../src/vrrp/config-adapter.js';
import { defaultParams } from '../../../src/vrrp/params.js';

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
  /** The transport's source address (the instance's advert source when it was opened). */
  readonly source: string;
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
    this.wire.push({ from, source: spec.sourceAddress, atUs: this.clock.nowUs(), bytes, destination, ttl });
    for (const e of this.endpoints) {
      if (!e.open || e.node === from || this.down.has(e.node) || e.spec.family !== spec.family) continue;
      e.onPacket({ family: spec.family, bytes, ttl, source: spec.sourceAddress, destination });
    }
  }
}

/** The addresses on a node's interfaces ("192.0.2.100/24" on "eth0"). */
export class FakeAddresses implements AddressPort {
  readonly table = new Map<string, Set<string>>();
  private readonly deletionWatches = new Set<{ vip: VipSpec; onDeleted: () => void }>();

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

  watchDeletion(vip: VipSpec, onDeleted: () => void): () => void {
    const w = { vip, onDeleted };
    this.deletionWatches.add(w);
    return () => void this.deletionWatches.delete(w);
  }

  /** Someone else deletes `address/len` from the interface (an RTM_DELADDR for the watchers). */
  deleteExternally(interfaceName: string, address: string): void {
    if (this.table.get(interfaceName)?.delete(address) !== true) return;
    for (const w of [...this.deletionWatches]) if (w.vip.interfaceName === interfaceName && this.key(w.vip) === address) w.onDeleted();
  }

  get watchedDeletions(): number {
    return this.deletionWatches.size;
  }
}

/**
 * A node's routing tables and policy rules, as text close to `ip route` / `ip rule`
 * ("198.51.100.0/24 via 192.0.2.254 dev eth0 table main", "100: from 192.0.2.100 lookup 100").
 * A route `via` a gateway needs an address of the gateway's subnet on the node (the kernel's
 * ENETUNREACH), which is why keepalived sets VIPs before routes. `failNext` makes chosen
 * requests fail once.
 */
export class FakeRoutes implements RoutePort {
  readonly routes = new Set<string>();
  readonly rules = new Set<string>();
  /** Every successful change, in order ("+route ...", "-rule ..."). */
  readonly history: string[] = [];
  /** Destinations whose next add fails with this message. */
  readonly failNext = new Map<string, string>();

  /** `connected`: the node's own addresses ("192.0.2.1/24"), besides the VIPs in `addresses`. */
  constructor(private readonly addresses?: FakeAddresses, private readonly connected: readonly string[] = []) {}

  static routeText(r: RouteEntry): string {
    const parts = [r.type !== undefined && r.type !== 'unicast' ? `${r.type} ${r.destination}` : r.destination];
    if (r.via !== undefined) parts.push(`via ${r.via}`);
    if (r.dev !== undefined) parts.push(`dev ${r.dev}`);
    if (r.src !== undefined) parts.push(`src ${r.src}`);
    parts.push(`table ${r.table ?? 'main'}`);
    if (r.metric !== undefined) parts.push(`metric ${r.metric}`);
    return parts.join(' ');
  }

  static ruleText(r: RuleEntry): string {
    const parts = [`${r.preference}:`, r.from !== undefined ? `from ${r.from}` : 'from all'];
    if (r.to !== undefined) parts.push(`to ${r.to}`);
    if (r.options.fwmark !== undefined) parts.push(`fwmark ${r.options.fwmark}`);
    if (r.iif !== undefined) parts.push(`iif ${r.iif}`);
    if (r.oif !== undefined) parts.push(`oif ${r.oif}`);
    parts.push(r.action !== undefined ? r.action : `lookup ${r.table ?? 'main'}`);
    return parts.join(' ');
  }

  private reachable(gateway: string): boolean {
    if (this.addresses === undefined) return true;
    const all = [...this.connected, ...[...this.addresses.table.values()].flatMap((set) => [...set])];
    return all.some((a) => sameSubnet(a, gateway));
  }

  async addRoute(route: RouteEntry): Promise<void> {
    const failure = this.failNext.get(route.destination);
    if (failure !== undefined) {
      this.failNext.delete(route.destination);
      throw new Error(failure);
    }
    if (route.via !== undefined && !this.reachable(route.via)) {
      throw new Error('Netlink: error: Network is unreachable(101), type=RTM_NEWROUTE(24)');
    }
    const text = FakeRoutes.routeText(route);
    if (this.routes.has(text)) return;
    this.routes.add(text);
    this.history.push(`+route ${text}`);
  }

  async removeRoute(route: RouteEntry): Promise<void> {
    const text = FakeRoutes.routeText(route);
    if (this.routes.delete(text)) this.history.push(`-route ${text}`);
  }

  async addRule(rule: RuleEntry): Promise<void> {
    const text = FakeRoutes.ruleText(rule);
    if (this.rules.has(text)) return;
    this.rules.add(text);
    this.history.push(`+rule ${text}`);
  }

  async removeRule(rule: RuleEntry): Promise<void> {
    const text = FakeRoutes.ruleText(rule);
    if (this.rules.delete(text)) this.history.push(`-rule ${text}`);
  }

  private readonly watchers = new Map<string, Set<() => void>>();

  private watch(text: string, onDeleted: () => void): () => void {
    const set = this.watchers.get(text) ?? new Set();
    set.add(onDeleted);
    this.watchers.set(text, set);
    return () => void set.delete(onDeleted);
  }

  watchRoute(route: RouteEntry, onDeleted: () => void): () => void {
    return this.watch(`route ${FakeRoutes.routeText(route)}`, onDeleted);
  }

  watchRule(rule: RuleEntry, onDeleted: () => void): () => void {
    return this.watch(`rule ${FakeRoutes.ruleText(rule)}`, onDeleted);
  }

  /** Someone else deletes a route or rule (`ip route del` / `ip rule del`); watchers hear of it. */
  deleteExternally(kind: 'route' | 'rule', text: string): void {
    const table = kind === 'route' ? this.routes : this.rules;
    assert.ok(table.delete(text), `${kind} ${text} is not installed`);
    this.history.push(`x${kind} ${text}`);
    for (const h of [...(this.watchers.get(`${kind} ${text}`) ?? [])]) h();
  }

  /** How many watches are open (installed tracked entries). */
  watchCount(): number {
    return [...this.watchers.values()].reduce((n, s) => n + s.size, 0);
  }

  routeList(): string[] {
    return [...this.routes].sort();
  }

  ruleList(): string[] {
    return [...this.rules].sort();
  }
}

/** Whether `gateway` is in the subnet of "address/len" (IPv4; an IPv6 gateway needs any IPv6 address). */
function sameSubnet(addressWithLength: string, gateway: string): boolean {
  const [address = '', len = '32'] = addressWithLength.split('/');
  if (address.includes(':') || gateway.includes(':')) return address.includes(':') && gateway.includes(':');
  const n = (ip: string): number => ip.split('.').reduce((acc, o) => ((acc << 8) | Number(o)) >>> 0, 0);
  const bits = Number(len);
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  return ((n(address) & mask) >>> 0) === ((n(gateway) & mask) >>> 0);
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
  readonly routes: FakeRoutes;
  readonly l2: FakeL2;
  readonly links: FakeLinks;
  readonly log: MemoryLog;
}

export function fakeNode(name: string, lan: FakeLan, clock: ManualClock): FakeNode {
  const addresses = new FakeAddresses();
  const routes = new FakeRoutes(addresses);
  const l2 = new FakeL2(clock);
  const links = new FakeLinks();
  const log = new MemoryLog();
  return { addresses, routes, l2, links, log, ports: { transports: lan.factory(name), addresses, routes, l2, links, clock, log } };
}

/** Lets queued promise work (address changes, announcements) run. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
  await new Promise((resolve) => setImmediate(resolve));
}

/**
 * Starts the drivers in order and lets 4 s pass on the clock (past every Master_Down_Interval at
 * advert_int 1), then settles: the election every two-node scenario begins with.
 */
export async function startAndElect(clock: ManualClock, ...drivers: readonly { start(): void }[]): Promise<void> {
  for (const d of drivers) d.start();
  clock.advanceMs(4_000);
  await settle();
}

/** One LAN on a manual clock, the set-up every driver scenario starts from; `node` adds a node to it. */
export interface FakeWorld {
  readonly clock: ManualClock;
  readonly lan: FakeLan;
  node(name: string): FakeNode;
}

export function fakeWorld(): FakeWorld {
  const clock = new ManualClock();
  const lan = new FakeLan(clock);
  return { clock, lan, node: (name) => fakeNode(name, lan, clock) };
}

/**
 * The instance most driver scenarios run: VI_1, VRID 51, VIP 192.0.2.100/24 on eth0, tracking
 * eth0; `extra` sets or overrides binding fields (sourceConfigured, trackedInterfaces, ...).
 */
export function vipBinding(primaryAddress: string, priority: number, extra: Partial<InstanceBinding> = {}): InstanceBinding {
  const params = defaultParams({ name: 'VI_1', vrid: 51, vips: ['192.0.2.100'], primaryAddress, priority });
  return { params, interfaceName: 'eth0', vips: [{ address: '192.0.2.100', prefixLength: 24, interfaceName: 'eth0' }], unicastTtl: 255, trackInterface: true, unsupported: [], ...extra };
}
