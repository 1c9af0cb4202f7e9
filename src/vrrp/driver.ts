/**
 * The instance driver: a thin shell around the pure state machine (DESIGN principles 3-5, 9).
 * Events in (timer expiries, validated adverts, link changes, shutdown) -> step() -> actions out
 * through the ports (transport, addresses, L2 announcer, clock). `applyTransition` is the one
 * choke point of state changes: it logs keepalived's line, remembers the time and tells observers.
 * Adverts are sent synchronously from the event that asks for them; address work is queued.
 */
import { advertDestinations, advertVrid, receiveIpv4, receiveIpv6 } from './advert.js';
import { AdvertCache } from './advert-cache.js';
import type { InstanceBinding } from './config-adapter.js';
import { VipWorker } from './driver-io.js';
import { formatInstanceStats, VrrpStats } from './driver-stats.js';
import { effectivePriority, trackedPriority, trackFaults, type TrackContribution } from './driver-track.js';
import { nextSource, SOURCE_FAULT, sourceLost } from './interface-addresses.js';
import { nextIdentification } from './packet-ipv4.js';
import { isAddressListDetail } from './validate.js';
import type { DriverPorts, DriverTimerHandle, IncomingVrrpPacket, LinkState, VrrpTransport } from './ports.js';
import { ReceiveMemo } from './receive-memo.js';
import { initialVrrpState, isListening, step } from './state-machine.js';
import type { VrrpAction, VrrpEvent, VrrpNotifyEvent, VrrpState, VrrpStateName, VrrpTimer } from './state-machine-types.js';

export interface TransitionEvent {
  readonly kind: 'transition';
  readonly instance: string;
  readonly from: VrrpStateName;
  readonly to: VrrpStateName;
  readonly priority: number;
  readonly atUs: number;
}

/** keepalived's other notify event: a MASTER saw a lower-priority advert. */
export interface NotifyEventRecord {
  readonly kind: 'notify-event';
  readonly instance: string;
  readonly event: VrrpNotifyEvent;
  readonly priority: number;
  readonly atUs: number;
}

export type DriverEvent = TransitionEvent | NotifyEventRecord;
export type TransitionObserver = (event: DriverEvent) => void;

const LINK_FAULT = 'interface';

/** What the transport depends on: a change reopens it. */
function transportKey(b: InstanceBinding): string {
  const p = b.params;
  return `${socketInterface(b)}/${p.family}/${p.unicastPeers.length > 0}/${p.primaryAddress}/${p.auth.type === 'AH'}`;
}

/** use_vmac without vmac_xmit_base: adverts are sent and received on the VMAC (as keepalived). */
function socketInterface(b: InstanceBinding): string {
  return b.vmac !== undefined && !b.vmac.xmitBase ? b.vmac.name : b.interfaceName;
}
const IPPROTO_VRRP = 112;
const IPPROTO_AH = 51;
/** Next header, length, reserved (4 bytes), SPI (4 bytes), then the sequence number. */
const AH_SEQUENCE_OFFSET = 8;
const MAX_REJECT_LOGS_PER_STATE = 5;
/** A timer later than this is reported: our own scheduling delay, not a peer's silence. */
const LATE_TIMER_WARNING_US = 200_000;

/**
 * keepalived logs "Entering BACKUP/FAULT STATE" before "removing Virtual Rules/Routes", "removing
 * VIPs." when it leaves MASTER: the removal moves after that transition (at startup it stays
 * before "Entering BACKUP STATE (init)", as keepalived logs it).
 */
function leaveMasterOrder(actions: readonly VrrpAction[]): readonly VrrpAction[] {
  let removal = -1;
  for (let i = 0; i < actions.length; i++) {
    if (actions[i]?.kind === 'remove-vips') {
      removal = i;
      break;
    }
  }
  if (removal < 0) return actions; // every advert: no allocation
  const transition = actions.findIndex((a, i) => i > removal && a.kind === 'transition' && a.from === 'MASTER');
  if (transition < 0) return actions;
  const out = [...actions];
  const [moved] = out.splice(removal, 1);
  if (moved !== undefined) out.splice(transition, 0, moved);
  return out;
}

export class InstanceDriver {
  readonly stats = new VrrpStats();
  private current: VrrpState;
  private transport: VrrpTransport | undefined;
  private readonly timers = new Map<VrrpTimer, DriverTimerHandle>();
  private readonly observers = new Set<TransitionObserver>();
  /** Observers told before the others (a sync group announcing its first state). */
  private readonly firstObservers = new Set<TransitionObserver>();
  private readonly vipWorker: VipWorker;
  private readonly unwatch: (() => void)[] = [];
  private trackFaultKeys = new Set<string>();
  /** vrrp_script / track_file / track_process contributions, by tracker key. */
  private readonly tracks = new Map<string, TrackContribution>();
  private started = false;
  private identification = 0;
  private ahSequence = 0;
  private rejectLogs = 0;
  private stopped = false;
  /** Adverts are the same bytes every interval: built once (advert-cache.ts). */
  private readonly adverts = new AdvertCache();
  /** The last accepted packet and its event: a twin skips decode and validation (receive-memo.ts). */
  private readonly received = new ReceiveMemo<VrrpEvent>();
  /** Timer callbacks, one per timer (no closure per arm). */
  private readonly timerCallbacks = new Map<VrrpTimer, () => void>();
  private destinations: { params: InstanceBinding['params']; list: readonly string[] } | undefined;

  constructor(
    private bound: InstanceBinding,
    private readonly ports: DriverPorts,
  ) {
    this.current = initialVrrpState(bound.params);
    this.vipWorker = new VipWorker(bound.params.name, bound, ports.addresses, ports.routes, ports.l2, ports.log,
      bound.noAccept === true ? ports.vipFilter : undefined, () => this.dispatch({ kind: 'resign' }));
  }

  get binding(): InstanceBinding {
    return this.bound;
  }

  get name(): string {
    return this.binding.params.name;
  }

  get state(): VrrpState {
    return this.current;
  }

  get vipsInstalled(): boolean {
    return this.vipWorker.vipsInstalled;
  }

  /** `first`: the observer sees each event before the ordinary observers. */
  onTransition(observer: TransitionObserver, order: 'first' | 'last' = 'last'): () => void {
    const set = order === 'first' ? this.firstObservers : this.observers;
    set.add(observer);
    return () => void set.delete(observer);
  }

  /** Opens the transport, follows the interface, then starts the state machine (INIT -> BACKUP/MASTER/FAULT). */
  start(): void {
    this.openTransport();
    if (this.binding.trackInterface && this.ports.links.state(this.binding.interfaceName) !== 'up') {
      this.dispatch({ kind: 'fault', fault: LINK_FAULT, raised: true });
    }
    this.watchLinks();
    this.started = true;
    this.retrack();
    this.dispatch({ kind: 'startup' });
  }

  /**
   * A tracker (vrrp_script, track_file, track_process) reports what it contributes now: its fault
   * and priority delta apply at once (the next advert carries the new priority). Before start()
   * the value is kept and applied by start().
   */
  setTrack(key: string, contribution: TrackContribution): void {
    const old = this.tracks.get(key);
    if (old !== undefined && old.fault === contribution.fault && old.delta === contribution.delta) return;
    this.tracks.set(key, contribution);
    if (this.started) this.retrack();
  }

  /** Forgets the tracker contributions not in `keep` (reload: references that are gone). */
  clearTracks(keep: ReadonlySet<string> = new Set()): void {
    let changed = false;
    for (const key of [...this.tracks.keys()]) {
      if (keep.has(key)) continue;
      this.tracks.delete(key);
      changed = true;
    }
    if (changed && this.started) this.retrack();
  }

  /**
   * Reload of a matched instance whose settings changed (keepalived §4.2): the state is kept, a
   * MASTER swaps removed VIPs for added ones without an election, the new priority applies at once.
   */
  adopt(binding: InstanceBinding): void {
    initialVrrpState(binding.params); // validates the new params (throws VrrpError)
    const old = this.bound;
    this.bound = binding;
    this.vipWorker.replace(binding, binding.noAccept === true ? this.ports.vipFilter : undefined);
    this.current = { ...this.current, params: binding.params };
    if (transportKey(old) !== transportKey(binding)) {
      this.transport?.close();
      this.openTransport();
    }
    for (const off of this.unwatch.splice(0)) off();
    this.watchLinks();
    this.retrack();
  }

  private openTransport(): void {
    const { params } = this.binding;
    this.transport = this.ports.transports.open(
      {
        interfaceName: socketInterface(this.binding),
        family: params.family,
        unicast: params.unicastPeers.length > 0,
        sourceAddress: params.primaryAddress,
        ipProtocol: params.auth.type === 'AH' ? IPPROTO_AH : IPPROTO_VRRP,
      },
      (packet) => this.receive(packet),
      (error) => this.ports.log.error(`(${this.name}) socket error: ${error.message}`),
    );
  }

  private watchLinks(): void {
    if (this.binding.trackInterface) {
      this.unwatch.push(this.ports.links.watch(this.binding.interfaceName, (state) => this.linkChanged(state)));
    }
    const vips = this.binding.vips.map((v) => v.address);
    this.unwatch.push(this.ports.interfaceAddresses?.watch(this.binding.interfaceName, () => this.addressesChanged(), vips) ?? (() => undefined));
    for (const ref of this.binding.trackedInterfaces ?? []) {
      this.unwatch.push(this.ports.links.watch(ref.name, (state) => {
        this.ports.log.info(`Netlink reports ${ref.name} ${state}`);
        this.retrack();
      }));
    }
  }

  /**
   * The interface's IPv4 addresses changed: a source that left moves to another address of the
   * interface (silently, as keepalived 2.2.7 does; the transport is reopened on it), then the
   * source fault is re-evaluated.
   */
  private addressesChanged(): void {
    const source = nextSource(this.binding, this.ports.interfaceAddresses?.addresses(this.binding.interfaceName));
    if (source !== undefined) {
      const old = this.bound;
      const params = { ...old.params, primaryAddress: source };
      this.bound = { ...old, params };
      this.current = { ...this.current, params };
      if (this.transport !== undefined && transportKey(old) !== transportKey(this.bound)) {
        this.transport.close();
        this.openTransport();
      }
    }
    this.retrack();
  }

  /**
   * Graceful stop: a MASTER resigns (priority 0) and drops its VIPs; resolves when the VIPs are gone.
   * `release: false` (-V/--dont-release-vrrp): no priority-0 advert, the VIPs, routes and rules stay.
   */
  async stop(release = true): Promise<void> {
    if (this.stopped) return this.vipWorker.idle();
    this.dispatch({ kind: 'shutdown', release });
    this.stopped = true;
    for (const handle of this.timers.values()) this.ports.clock.clearTimer(handle);
    this.timers.clear();
    for (const off of this.unwatch.splice(0)) off();
    await this.vipWorker.idle();
    this.transport?.close();
    this.transport = undefined;
  }

  /** Feeds one event through the state machine and performs the resulting actions in order. */
  dispatch(event: VrrpEvent): void {
    if (this.stopped) return;
    const result = step(this.current, event, this.ports.clock.nowUs());
    this.current = result.state;
    for (const action of leaveMasterOrder(result.actions)) this.perform(action);
  }

  statsText(): string {
    return formatInstanceStats(this.name, this.stats);
  }

  private perform(action: VrrpAction): void {
    switch (action.kind) {
      case 'send-advert': return this.sendAdvert(action.priority);
      case 'arm-timer': return this.arm(action.timer, action.delayUs);
      case 'cancel-timer': return this.cancel(action.timer);
      case 'add-vips': return this.vipWorker.addAll();
      case 'remove-vips': return this.vipWorker.removeAll();
      case 'send-garp': return this.vipWorker.announce(action.count);
      case 'transition': return this.applyTransition(action);
      case 'notify-event': return this.notifyEvent(action.event);
      case 'log': return action.level === 'warning' ? this.ports.log.warning(action.message) : this.ports.log.info(action.message);
      case 'count': return this.stats.count(action.counter);
    }
  }

  /** The choke point: every state change is logged (keepalived wording) and observed here. */
  private applyTransition(action: Extract<VrrpAction, { kind: 'transition' }>): void {
    if (action.message !== undefined) this.ports.log.info(action.message);
    this.rejectLogs = 0;
    const event: TransitionEvent = { kind: 'transition', instance: this.name, from: action.from, to: action.to, priority: action.priority, atUs: this.ports.clock.nowUs() };
    for (const observer of [...this.firstObservers, ...this.observers]) observer(event);
  }

  private notifyEvent(event: VrrpNotifyEvent): void {
    this.ports.log.detail(`(${this.name}) ${event}`);
    const record: NotifyEventRecord = { kind: 'notify-event', instance: this.name, event, priority: this.current.effectivePriority, atUs: this.ports.clock.nowUs() };
    for (const observer of [...this.firstObservers, ...this.observers]) observer(record);
  }

  private sendAdvert(priority: number): void {
    const transport = this.transport;
    if (transport === undefined) return;
    const { params } = this.binding;
    const ttl = params.unicastPeers.length > 0 ? this.binding.unicastTtl : 255;
    if (this.destinations?.params !== params) this.destinations = { params, list: advertDestinations(params) };
    for (const destination of this.destinations.list) {
      // AH: the ICV covers the IP identification, so this counter runs in step with the transport's
      this.identification = nextIdentification(this.identification);
      this.ahSequence = (this.ahSequence + 1) >>> 0;
      try {
        const options = { destination, identification: this.identification, ahSequence: this.ahSequence };
        transport.send(this.adverts.bytes(params, priority, options), destination, ttl);
      } catch (e) {
        this.stats.increment('send_err');
        this.ports.log.error(`(${this.name}) could not send advert to ${destination}: ${(e as Error).message}`);
      }
    }
  }

  private arm(timer: VrrpTimer, delayUs: number): void {
    this.cancel(timer);
    let callback = this.timerCallbacks.get(timer);
    if (callback === undefined) {
      callback = () => this.fire(timer);
      this.timerCallbacks.set(timer, callback);
    }
    const handle = this.ports.clock.setTimer(callback, delayUs);
    this.timers.set(timer, handle);
  }

  private cancel(timer: VrrpTimer): void {
    const handle = this.timers.get(timer);
    if (handle !== undefined) this.ports.clock.clearTimer(handle);
    this.timers.delete(timer);
  }

  /** A timer fired; if the platform woke us a little early, wait for the rest (never skip it). */
  private fire(timer: VrrpTimer): void {
    this.timers.delete(timer);
    const deadline = this.current.timers[timer];
    if (deadline === undefined) return;
    const earlyUs = deadline - this.ports.clock.nowUs();
    if (earlyUs > 0) {
      this.arm(timer, earlyUs);
      return;
    }
    if (-earlyUs > LATE_TIMER_WARNING_US) {
      this.ports.log.warning(`(${this.name}) ${timer} timer fired ${Math.round(-earlyUs / 1000)} ms late (event loop busy)`);
    }
    this.dispatch({ kind: 'timer', timer });
  }

  /** Trackers: raise/clear the unweighted faults, then apply base + weights (255 stays 255). */
  private retrack(): void {
    const refs = this.binding.trackedInterfaces ?? [];
    const stateOf = (name: string): LinkState | undefined => this.ports.links.state(name);
    const faults = trackFaults(refs, stateOf);
    for (const [key, c] of this.tracks) if (c.fault) faults.add(key);
    if (sourceLost(this.binding, this.ports.interfaceAddresses?.addresses(this.binding.interfaceName))) faults.add(SOURCE_FAULT);
    for (const key of faults) if (!this.trackFaultKeys.has(key)) this.dispatch({ kind: 'fault', fault: key, raised: true });
    for (const key of this.trackFaultKeys) if (!faults.has(key)) this.dispatch({ kind: 'fault', fault: key, raised: false });
    this.trackFaultKeys = faults;
    const deltas = [trackedPriority(0, refs, stateOf), ...[...this.tracks.values()].map((c) => c.delta)];
    this.dispatch({ kind: 'priority', priority: effectivePriority(this.binding.params.priority, deltas) });
  }

  private linkChanged(state: LinkState): void {
    this.ports.log.info(`Netlink reports ${this.binding.interfaceName} ${state}`);
    this.dispatch({ kind: 'fault', fault: LINK_FAULT, raised: state === 'down' });
  }

  /** Receive path: validate for this instance, count drops (keepalived's counters), feed the machine. */
  private receive(packet: IncomingVrrpPacket): void {
    if (this.stopped || !isListening(this.current)) return;
    const { params } = this.binding;
    const master = this.current.masterAddress;
    const memo = params.auth.type !== 'AH';
    const known = memo ? this.received.lookup(packet, params, master) : undefined;
    if (known !== undefined) {
      this.dispatch(known);
      return;
    }
    const result = packet.family === 'ipv4'
      ? receiveIpv4(packet.bytes, params, true, master)
      : receiveIpv6(packet.bytes, { hopLimit: packet.ttl, source: packet.source, destination: packet.destination }, params, true, master);
    if (!result.ok) {
      if (result.reason === 'unknown_vrid') this.otherVrid(packet);
      if (!this.stats.countReject(result.reason)) return;
      // keepalived's own line for an address list that differs from ours; ours for the rest
      if (result.detail !== undefined && isAddressListDetail(result.detail)) this.logReject(`(${this.name}) ${result.detail}`, false);
      else this.logReject(`dropped advert from ${packet.source}: ${result.reason}${result.detail === undefined ? '' : ` (${result.detail})`}`);
      return;
    }
    const advert = result.value;
    if (params.auth.type === 'AH' && packet.family === 'ipv4' && !this.acceptAhSequence(packet.bytes)) return;
    const event: VrrpEvent = { kind: 'advert', advert: { priority: advert.priority, source: advert.source, advertIntervalCs: advert.advertIntervalCs } };
    if (memo) this.received.remember(packet, params, master, event);
    this.dispatch(event);
  }

  private otherVrid(packet: IncomingVrrpPacket): void {
    const vrid = advertVrid(packet.family, packet.bytes);
    if (vrid !== undefined) this.ports.otherVrid?.(vrid);
  }

  /**
   * keepalived keeps one AH sequence counter per instance for sending and receiving: a received
   * number must be above it (else a replay, dropped) and becomes it; we send counter + 1. So a
   * restarted node continues from what it heard, and its peers accept it.
   */
  private acceptAhSequence(datagram: Uint8Array): boolean {
    const headerLength = ((datagram[0] ?? 0) & 0x0f) * 4;
    const view = new DataView(datagram.buffer, datagram.byteOffset, datagram.byteLength);
    if (datagram.length < headerLength + AH_SEQUENCE_OFFSET + 4) return false;
    const sequence = view.getUint32(headerLength + AH_SEQUENCE_OFFSET);
    if (sequence <= this.ahSequence) {
      this.stats.increment('auth_failure');
      this.logReject(`IPSEC-AH : sequence number ${sequence} already processed. Packet dropped. Local(${this.ahSequence})`);
      return false;
    }
    this.ahSequence = sequence;
    return true;
  }

  /** Rate-limited: a few lines per state, as keepalived resets its error flags on state changes. */
  private logReject(text: string, prefixed = true): void {
    if (this.rejectLogs >= MAX_REJECT_LOGS_PER_STATE) return;
    this.rejectLogs++;
    this.ports.log.info(prefixed ? `(${this.name}) ${text}` : text);
  }
}
