/**
 * A simulated LAN of VRRP instances for scenario tests: a manual clock (µs), an event queue, and
 * a fake wire that carries real bytes (encodeAdvert -> receiveIpv4/receiveIpv6 -> step), with
 * per-link delay, loss and partitions. Each node keeps a stateful fake of its VIPs, so a test
 * asserts "192.0.2.100 is on node b", not "call #3 had these arguments". No real time is used.
 */
import { advertDestinations, encodeAdvert, receiveIpv4, receiveIpv6 } from '../../../src/vrrp/advert.js';
import { nextIdentification } from '../../../src/vrrp/packet-ipv4.js';
import type { VrrpRejectReason } from '../../../src/vrrp/packet-types.js';
import type { VrrpInstanceParams } from '../../../src/vrrp/params.js';
import { initialVrrpState, isListening, step } from '../../../src/vrrp/state-machine.js';
import type { VrrpAction, VrrpEvent, VrrpState, VrrpStateName, VrrpTimer } from '../../../src/vrrp/state-machine-types.js';

export interface WireAdvert {
  readonly from: string;
  readonly atUs: number;
  readonly priority: number;
  readonly bytes: Uint8Array;
  readonly destination: string;
}

export interface TransitionRecord {
  readonly node: string;
  readonly atUs: number;
  readonly from: VrrpStateName;
  readonly to: VrrpStateName;
  readonly message: string;
}

interface SimNode {
  readonly id: string;
  params: VrrpInstanceParams;
  state: VrrpState;
  alive: boolean;
  vipsInstalled: boolean;
  ipId: number;
  readonly timers: Map<VrrpTimer, number>;
  readonly rejects: VrrpRejectReason[];
  readonly garps: { atUs: number; count: number; cause: string }[];
  readonly counters: Map<string, number>;
}

type QueueItem = { atUs: number; seq: number; run: () => void };

export class SimNetwork {
  nowUs = 0;
  /** One-way delay of every link. */
  linkDelayUs = 100;
  /** Drop decision per packet (default: no loss). */
  lose: (from: string, to: string, atUs: number) => boolean = () => false;
  readonly wire: WireAdvert[] = [];
  readonly transitions: TransitionRecord[] = [];
  /** Moments where a live node held the VIPs without being MASTER, or was MASTER without them. */
  readonly vipViolations: string[] = [];
  private readonly nodes = new Map<string, SimNode>();
  private queue: QueueItem[] = [];
  private seq = 0;
  private partitions: readonly (readonly string[])[] | undefined;

  add(id: string, params: VrrpInstanceParams): this {
    this.nodes.set(id, {
      id, params, state: initialVrrpState(params), alive: false, vipsInstalled: false, ipId: 0,
      timers: new Map(), rejects: [], garps: [], counters: new Map(),
    });
    return this;
  }

  /** Schedules `fn` at an absolute time. */
  at(atUs: number, fn: () => void): this {
    this.queue.push({ atUs, seq: this.seq++, run: fn });
    return this;
  }

  /** Processes everything due up to `untilUs` in time order (FIFO among equal times). */
  runUntil(untilUs: number): this {
    for (;;) {
      this.queue.sort((a, b) => a.atUs - b.atUs || a.seq - b.seq);
      const next = this.queue[0];
      if (next === undefined || next.atUs > untilUs) break;
      this.queue.shift();
      this.nowUs = next.atUs;
      next.run();
    }
    this.nowUs = untilUs;
    return this;
  }

  start(id: string): void {
    const node = this.node(id);
    node.alive = true;
    node.state = initialVrrpState(node.params);
    this.feed(node, { kind: 'startup' });
  }

  /** Graceful stop (SIGTERM): the state machine resigns with priority 0 when MASTER. */
  stop(id: string): void {
    this.feed(this.node(id), { kind: 'shutdown' });
    this.node(id).alive = false;
  }

  /** Crash: nothing more is sent; VIPs vanish with the host; timers die. */
  crash(id: string): void {
    const node = this.node(id);
    node.alive = false;
    node.vipsInstalled = false;
    node.timers.clear();
  }

  event(id: string, event: VrrpEvent): void {
    this.feed(this.node(id), event);
  }

  partition(...groups: (readonly string[])[]): void {
    this.partitions = groups;
  }

  heal(): void {
    this.partitions = undefined;
  }

  stateOf(id: string): VrrpStateName {
    return this.node(id).state.name;
  }

  vrrpState(id: string): VrrpState {
    return this.node(id).state;
  }

  masters(): string[] {
    return [...this.nodes.values()].filter((n) => n.alive && n.state.name === 'MASTER').map((n) => n.id);
  }

  /** Nodes holding the VIPs (the stateful fake of the address port). */
  vipHolders(): string[] {
    return [...this.nodes.values()].filter((n) => n.vipsInstalled).map((n) => n.id);
  }

  rejects(id: string): readonly VrrpRejectReason[] {
    return this.node(id).rejects;
  }

  garps(id: string): readonly { atUs: number; count: number; cause: string }[] {
    return this.node(id).garps;
  }

  counter(id: string, name: string): number {
    return this.node(id).counters.get(name) ?? 0;
  }

  /** When `id` last entered `to` (or undefined). */
  lastEntered(id: string, to: VrrpStateName): number | undefined {
    return this.transitions.filter((t) => t.node === id && t.to === to).at(-1)?.atUs;
  }

  advertsFrom(id: string): WireAdvert[] {
    return this.wire.filter((w) => w.from === id);
  }

  private node(id: string): SimNode {
    const node = this.nodes.get(id);
    if (node === undefined) throw new Error(`no node ${id}`);
    return node;
  }

  private feed(node: SimNode, event: VrrpEvent): void {
    if (!node.alive) return;
    const result = step(node.state, event, this.nowUs);
    node.state = result.state;
    for (const action of result.actions) this.perform(node, action);
    if (node.vipsInstalled !== (node.state.name === 'MASTER')) {
      this.vipViolations.push(`${node.id} at ${this.nowUs}: ${node.state.name}, VIPs ${node.vipsInstalled ? 'on' : 'off'}`);
    }
  }

  private perform(node: SimNode, action: VrrpAction): void {
    switch (action.kind) {
      case 'send-advert':
        this.send(node, action.priority);
        break;
      case 'arm-timer':
        this.arm(node, action.timer, this.nowUs + action.delayUs);
        break;
      case 'cancel-timer':
        node.timers.delete(action.timer);
        break;
      case 'add-vips':
        node.vipsInstalled = true;
        break;
      case 'remove-vips':
        node.vipsInstalled = false;
        break;
      case 'send-garp':
        node.garps.push({ atUs: this.nowUs, count: action.count, cause: action.cause });
        break;
      case 'transition':
        this.transitions.push({ node: node.id, atUs: this.nowUs, from: action.from, to: action.to, message: action.message ?? '' });
        break;
      case 'count':
        node.counters.set(action.counter, (node.counters.get(action.counter) ?? 0) + 1);
        break;
      case 'notify-event':
      case 'log':
        break;
    }
  }

  private arm(node: SimNode, timer: VrrpTimer, dueUs: number): void {
    node.timers.set(timer, dueUs);
    this.at(dueUs, () => {
      if (!node.alive || node.timers.get(timer) !== dueUs) return; // cancelled or re-armed
      node.timers.delete(timer);
      this.feed(node, { kind: 'timer', timer });
    });
  }

  private connected(a: string, b: string): boolean {
    return this.partitions === undefined || this.partitions.some((g) => g.includes(a) && g.includes(b));
  }

  /** Multicast reaches every node on the LAN; a unicast advert only the node owning the address. */
  private send(node: SimNode, priority: number): void {
    for (const destination of advertDestinations(node.params)) {
      node.ipId = nextIdentification(node.ipId);
      const bytes = encodeAdvert(node.params, priority, { destination, identification: node.ipId });
      this.wire.push({ from: node.id, atUs: this.nowUs, priority, bytes, destination });
      const unicast = node.params.unicastPeers.length > 0;
      for (const peer of this.nodes.values()) {
        if (peer === node || (unicast && peer.params.primaryAddress !== destination)) continue;
        if (!this.connected(node.id, peer.id) || this.lose(node.id, peer.id, this.nowUs)) continue;
        this.at(this.nowUs + this.linkDelayUs, () => this.deliver(node, peer, bytes, destination));
      }
    }
  }

  private deliver(sender: SimNode, peer: SimNode, bytes: Uint8Array, destination: string): void {
    if (!peer.alive) return;
    const listening = isListening(peer.state);
    const meta = { hopLimit: 255, source: sender.params.primaryAddress, destination };
    const result = peer.params.family === 'ipv4' ? receiveIpv4(bytes, peer.params, listening) : receiveIpv6(bytes, meta, peer.params, listening);
    if (!result.ok) {
      if (result.reason !== 'not_listening') peer.rejects.push(result.reason);
      return;
    }
    const { priority, source, advertIntervalCs } = result.value;
    this.feed(peer, { kind: 'advert', advert: { priority, source, advertIntervalCs } });
  }
}
