/**
 * The narrow ports an instance driver talks through (DESIGN principle 5). Linux implements them
 * in src/os/linux/vrrp-ports.ts; scenario tests use stateful fakes. Nothing here knows sockets,
 * netlink or timers: the daemon wires the implementations in.
 */
import type { VrrpFamily } from './packet-types.js';
import type { ParsedRoute } from '../config/syntax/route.js';
import type { ParsedRule } from '../config/syntax/rule.js';

/** One received VRRP packet, valid only during the callback (copy what you keep). */
export interface IncomingVrrpPacket {
  readonly family: VrrpFamily;
  /** IPv4: the whole datagram (IP header included); IPv6: the VRRP message. */
  readonly bytes: Uint8Array;
  /** IPv4 TTL / IPv6 hop limit. */
  readonly ttl: number;
  readonly source: string;
  readonly destination: string;
}

export type IncomingVrrpHandler = (packet: IncomingVrrpPacket) => void;

/** Sends and receives one instance's adverts on its interface (one family, multicast or unicast). */
export interface VrrpTransport {
  /**
   * Sends one advert as `encodeAdvert` built it (IPv4: a whole datagram whose header the
   * implementation may rebuild with the same fields; IPv6: the VRRP message, checksum zero or
   * filled). `ttl` is the IPv4 TTL / IPv6 hop limit.
   */
  send(bytes: Uint8Array, destination: string, ttl: number): void;
  close(): void;
}

export interface VrrpTransportSpec {
  /** The instance interface, or its VMAC (use_vmac without vmac_xmit_base). */
  readonly interfaceName: string;
  readonly family: VrrpFamily;
  /** Unicast peers given: no multicast membership. */
  readonly unicast: boolean;
  /** IPv4 primary / IPv6 link-local source. */
  readonly sourceAddress: string;
  /** IP protocol: 112 (VRRP), or 51 when adverts carry an AH header (auth_type AH). */
  readonly ipProtocol: number;
}

export interface VrrpTransportFactory {
  open(spec: VrrpTransportSpec, onPacket: IncomingVrrpHandler, onError: (error: Error) => void): VrrpTransport;
}

/** One virtual address as the kernel gets it. */
export interface VipSpec {
  readonly address: string;
  readonly prefixLength: number;
  readonly interfaceName: string;
  readonly broadcast?: string;
  readonly label?: string;
  /** RT_SCOPE_* number. */
  readonly scope?: number;
  readonly peer?: string;
  readonly nodad?: boolean;
  readonly noPrefixRoute?: boolean;
  readonly homeAddress?: boolean;
  /** Preferred lifetime in seconds (keepalived: 0 for IPv6 /128 VIPs). */
  readonly preferredLifetimeS?: number;
}

/** Adds and removes VIPs. Adding an address that is present, or removing one that is not, succeeds. */
export interface AddressPort {
  add(vip: VipSpec): Promise<void>;
  remove(vip: VipSpec): Promise<void>;
  /** Whether the address is on the interface now (clean start). */
  has(vip: VipSpec): Promise<boolean>;
  /**
   * Calls `onDeleted` each time the address leaves its interface (static_ipaddress restore);
   * returns the unwatch. Optional: without it nothing is restored.
   */
  watchDeletion?(vip: VipSpec, onDeleted: () => void): () => void;
}

/**
 * One route of virtual_routes / static_routes as configured (ip-route words read by the config
 * layer; `dev` absent = let the kernel find the interface). keepalived installs it with protocol
 * keepalived (18) unless `protocol` says otherwise.
 */
export type RouteEntry = ParsedRoute;

/** One rule of virtual_rules / static_rules as configured; `preference` always set. */
export interface RuleEntry extends ParsedRule {
  readonly preference: number;
}

/**
 * Adds and removes routes and policy rules (virtual_routes/rules while MASTER, static_* for the
 * daemon's life). Idempotent: adding what is present, or removing what is absent, succeeds. A
 * failure rejects with keepalived's log line as the message (the caller logs it and goes on).
 */
export interface RoutePort {
  addRoute(route: RouteEntry): Promise<void>;
  removeRoute(route: RouteEntry): Promise<void>;
  addRule(rule: RuleEntry): Promise<void>;
  removeRule(rule: RuleEntry): Promise<void>;
  /**
   * Follows one installed route (keepalived's route tracking): `onDeleted` runs when the kernel
   * reports it deleted. Returns the unsubscribe function (call it before removing the route).
   */
  watchRoute(route: RouteEntry, onDeleted: () => void): () => void;
  /** The same for a rule. */
  watchRule(rule: RuleEntry, onDeleted: () => void): () => void;
}

/** Gratuitous ARP (IPv4) / unsolicited NA (IPv6) for one VIP on its interface. */
export interface L2AnnouncePort {
  announce(vip: VipSpec): Promise<void>;
}

/**
 * no_accept / vrrp_strict: traffic to and from an instance's VIPs is dropped while it holds them
 * (keepalived's firewall drop rule). `drop` replaces the instance's list ([] = none); it never
 * rejects: a failure is reported through the log and the previous rules stay.
 */
export interface VipFilterPort {
  drop(instance: string, vips: readonly VipSpec[]): Promise<void>;
}

/** A VRRP virtual MAC interface (use_vmac): a macvlan in private mode over the base interface. */
export interface VmacSpec {
  /** Interface name (`vrrp.VRID` unless configured). */
  readonly name: string;
  readonly baseInterface: string;
  /** 00:00:5e:00:01:VRID (IPv4), 00:00:5e:00:02:VRID (IPv6), or the configured MAC. */
  readonly mac: string;
  readonly family: 'ipv4' | 'ipv6';
  /** IPv6: the base interface's link-local, copied onto the VMAC (the adverts' source). */
  readonly linkLocal?: string;
}

/** `created` / `reused` (a matching VMAC left by an earlier run), or `taken` by another interface. */
export type VmacOutcome = 'created' | 'reused' | 'taken';

/**
 * Creates and removes VMACs with keepalived's settings (sysctls, addrgenmode, link-local copy).
 * An existing interface of that name is reused only when it is a private-mode macvlan of the same
 * base with the same MAC; any other interface of that name is left alone (`taken`).
 */
export interface VmacPort {
  ensure(spec: VmacSpec): Promise<VmacOutcome>;
  /** Deletes the VMAC if it is still ours (a missing one is fine). */
  remove(spec: VmacSpec): Promise<void>;
}

export type LinkState = 'up' | 'down';

/** Link up/down of named interfaces (keepalived's view: IFF_UP and IFF_RUNNING). */
export interface LinkEventsPort {
  /** Current state; undefined when the interface does not exist. */
  state(interfaceName: string): LinkState | undefined;
  /** Subscribes to changes; returns the unsubscribe function. */
  watch(interfaceName: string, handler: (state: LinkState) => void): () => void;
}

export type DriverTimerHandle = { readonly id: number };

/** Monotonic time in microseconds and one-shot timers. */
export interface DriverClock {
  nowUs(): number;
  setTimer(callback: () => void, delayUs: number): DriverTimerHandle;
  clearTimer(handle: DriverTimerHandle): void;
}

/** keepalived-worded log lines; `detail` only with -D. */
export interface DriverLog {
  info(message: string): void;
  warning(message: string): void;
  error(message: string): void;
  detail(message: string): void;
}

/** An interface's IPv4 addresses now, and a call after each change (src/vrrp/interface-addresses.ts). */
export interface InterfaceAddressesPort {
  /** The interface's IPv4 addresses (undefined: not followed, e.g. the interface is unknown). */
  addresses(interfaceName: string): readonly string[] | undefined;
  /**
   * Calls `onChange` after each change of the interface's IPv4 addresses; returns the unwatch.
   * `own`: the watcher's VIPs, which never count as the interface's address in the log lines.
   */
  watch(interfaceName: string, onChange: () => void, own?: readonly string[]): () => void;
}

export interface DriverPorts {
  readonly transports: VrrpTransportFactory;
  readonly addresses: AddressPort;
  readonly routes: RoutePort;
  readonly l2: L2AnnouncePort;
  readonly links: LinkEventsPort;
  readonly clock: DriverClock;
  readonly log: DriverLog;
  /** The no_accept firewall; absent = not enforced. */
  readonly vipFilter?: VipFilterPort;
  /** Needed only by instances with use_vmac. */
  readonly vmacs?: VmacPort;
  /** The interfaces' IPv4 addresses (FAULT when the last one goes); absent = not followed. */
  readonly interfaceAddresses?: InterfaceAddressesPort;
  /** An advert for another VRID reached this instance's socket (the driver set counts VRIDs no instance has). */
  readonly otherVrid?: (vrid: number) => void;
}
