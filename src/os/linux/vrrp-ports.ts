/**
 * Linux implementations of the VRRP driver's ports (src/vrrp/ports.ts): adverts over VrrpSocket,
 * VIPs over rtnetlink, GARP / unsolicited NA over L2Announcer, and a monotonic µs clock.
 * Link events and address lookups are in vrrp-ports-links.ts.
 */
import { readFileSync } from 'node:fs';
import type {
  AddressPort, DriverClock, DriverTimerHandle, IncomingVrrpHandler, IncomingVrrpPacket, L2AnnouncePort, VipSpec, VrrpTransport,
  VrrpTransportFactory, VrrpTransportSpec,
} from '../../vrrp/ports.js';
import { AF_INET, AF_INET6 } from './netlink/constants.js';
import { NetlinkKernelError } from './netlink/errors.js';
import type { AddressInfo, AddressSpec } from './netlink/address-codec.js';
import { NetlinkClient } from './netlink/client.js';
import { RTNLGRP_IPV4_IFADDR, RTNLGRP_IPV6_IFADDR } from './netlink/constants.js';
import { ipToBytes } from './netlink/ip-address.js';
import { watchRtnetlink } from './netlink/monitor.js';
import type { RtNetlink } from './netlink/rtnetlink.js';
import { interfaceMacSync, L2Announcer } from './packet-socket.js';
import { loadNative, type NativeAddon } from './native.js';
import { VrrpSocket, type ReceivedVrrpPacket } from './vrrp-socket.js';
import type { ProcessRunner } from './process-runner.js';
import type { NotifyCommand, ScriptRunnerPort } from '../../vrrp/driver-notify.js';

const VRRP_CHECKSUM_OFFSET = 6;
/** keepalived does not time notify scripts out; we stop a hung one after a minute. */
const NOTIFY_TIMEOUT_MS = 60_000;

/** The per-packet view handed to the driver; refilled for each packet (valid during the callback). */
class IncomingView implements IncomingVrrpPacket {
  constructor(private readonly packet: ReceivedVrrpPacket) {}
  get family(): 'ipv4' | 'ipv6' { return this.packet.family === 4 ? 'ipv4' : 'ipv6'; }
  get bytes(): Uint8Array { return this.packet.family === 4 ? this.packet.datagram : this.packet.payload; }
  get ttl(): number { return this.packet.ttl; }
  get source(): string { return this.packet.source; }
  get destination(): string { return this.packet.destination; }
}

class SocketTransport implements VrrpTransport {
  private ipv6Scratch = Buffer.alloc(0);

  constructor(private readonly socket: VrrpSocket) {}

  send(bytes: Uint8Array, destination: string, ttl: number): void {
    if (this.socket.family === 4) {
      // the socket writes the IPv4 header itself (same TOS, TTL, source, protocol and, step for
      // step, identification); send what follows the header (AH header included)
      const headerLength = ((bytes[0] ?? 0x45) & 0x0f) * 4;
      this.socket.send(bytes.subarray(headerLength), destination, ttl);
      return;
    }
    // IPv6: the kernel fills the checksum (IPV6_CHECKSUM); it must be zero on the way in
    if (this.ipv6Scratch.length !== bytes.length) this.ipv6Scratch = Buffer.alloc(bytes.length);
    this.ipv6Scratch.set(bytes);
    this.ipv6Scratch.writeUInt16BE(0, VRRP_CHECKSUM_OFFSET);
    this.socket.send(this.ipv6Scratch, destination, ttl);
  }

  close(): void {
    if (!this.socket.closed) this.socket.close();
  }
}

export class LinuxVrrpTransports implements VrrpTransportFactory {
  constructor(private readonly native?: NativeAddon) {}

  open(spec: VrrpTransportSpec, onPacket: IncomingVrrpHandler, onError: (error: Error) => void): VrrpTransport {
    const socket = VrrpSocket.open({
      family: spec.family === 'ipv4' ? 4 : 6,
      interfaceName: spec.interfaceName,
      unicast: spec.unicast,
      sourceAddress: spec.sourceAddress,
      protocol: spec.ipProtocol,
      ...(this.native !== undefined ? { native: this.native } : {}),
    });
    let view: IncomingView | undefined;
    socket.start((packet) => onPacket((view ??= new IncomingView(packet))), onError);
    return new SocketTransport(socket);
  }
}

function isKernelError(e: unknown, ...names: string[]): boolean {
  return e instanceof NetlinkKernelError && names.includes(e.errnoName);
}

/** VIPs through rtnetlink; interface names resolved with if_nametoindex. */
interface AddressWatch {
  readonly vip: VipSpec;
  readonly onDeleted: () => void;
}

function sameAddress(info: AddressInfo, index: number, vip: VipSpec): boolean {
  if (info.index !== index || info.prefixLength !== vip.prefixLength) return false;
  try {
    const want = ipToBytes(vip.address);
    return info.family === want.family && ipToBytes(info.address).bytes.equals(want.bytes);
  } catch {
    return false;
  }
}

export class LinuxAddresses implements AddressPort {
  /** RTM_DELADDR monitor, opened with the first watch (its own socket). */
  private monitor: { client: NetlinkClient; off: () => void } | undefined;
  private readonly watches = new Set<AddressWatch>();

  constructor(
    private readonly rt: RtNetlink,
    private readonly native: NativeAddon = loadNative(),
    private readonly openMonitor: () => NetlinkClient = () => NetlinkClient.openRoute(),
  ) {}

  watchDeletion(vip: VipSpec, onDeleted: () => void): () => void {
    const w = { vip, onDeleted };
    this.watches.add(w);
    this.startMonitor();
    return () => void this.watches.delete(w);
  }

  private startMonitor(): void {
    if (this.monitor !== undefined) return;
    const client = this.openMonitor();
    const off = watchRtnetlink(client, {
      event: (e) => {
        if (e.kind !== 'address' || e.action !== 'del') return;
        for (const w of [...this.watches]) {
          if (this.watches.has(w) && sameAddress(e.address, this.native.ifNameToIndex(w.vip.interfaceName), w.vip)) w.onDeleted();
        }
      },
      // notifications lost: whatever is missing now was deleted
      resync: () => {
        for (const w of [...this.watches]) void this.has(w.vip).then((here) => { if (!here && this.watches.has(w)) w.onDeleted(); }, () => undefined);
      },
    }, [RTNLGRP_IPV4_IFADDR, RTNLGRP_IPV6_IFADDR]);
    this.monitor = { client, off };
  }

  /** Closes the deletion monitor (the rtnetlink client belongs to the caller). */
  close(): void {
    this.watches.clear();
    this.monitor?.off();
    this.monitor?.client.close();
    this.monitor = undefined;
  }

  private spec(vip: VipSpec): AddressSpec {
    const index = this.native.ifNameToIndex(vip.interfaceName);
    if (index === 0) throw new Error(`no such interface: ${vip.interfaceName}`);
    const flags = { ...(vip.nodad === true ? { nodad: true } : {}), ...(vip.noPrefixRoute === true ? { noPrefixRoute: true } : {}), ...(vip.homeAddress === true ? { homeAddress: true } : {}) };
    return {
      index,
      address: vip.address,
      prefixLength: vip.prefixLength,
      ...(vip.peer !== undefined ? { peer: vip.peer } : {}),
      ...(vip.broadcast !== undefined ? { broadcast: vip.broadcast } : {}),
      ...(vip.label !== undefined ? { label: vip.label } : {}),
      ...(vip.scope !== undefined ? { scope: vip.scope } : {}),
      ...(vip.preferredLifetimeS !== undefined ? { preferredLifetimeSec: vip.preferredLifetimeS, validLifetimeSec: 0xffffffff } : {}),
      ...(Object.keys(flags).length > 0 ? { flags } : {}),
    };
  }

  async add(vip: VipSpec): Promise<void> {
    try {
      await this.rt.addAddress(this.spec(vip));
    } catch (e) {
      if (!isKernelError(e, 'EEXIST')) throw e;
    }
  }

  async remove(vip: VipSpec): Promise<void> {
    try {
      await this.rt.deleteAddress(this.spec(vip));
    } catch (e) {
      if (!isKernelError(e, 'EADDRNOTAVAIL', 'ENOENT', 'ENODEV')) throw e;
    }
  }

  async has(vip: VipSpec): Promise<boolean> {
    const spec = this.spec(vip);
    const family = vip.address.includes(':') ? AF_INET6 : AF_INET;
    const list = await this.rt.listAddresses({ family, index: spec.index });
    return list.some((a) => a.address === vip.address && a.prefixLength === vip.prefixLength);
  }
}

/**
 * keepalived sets the NA Router flag when IPv6 forwarding is on for the interface. Read
 * synchronously (a procfs read): nothing between becoming master and the first NA goes through
 * libuv's thread pool.
 */
function ipv6Forwarding(interfaceName: string): boolean {
  if (!/^[^/\0]{1,15}$/.test(interfaceName) || interfaceName === '.' || interfaceName === '..') return false;
  try {
    return readFileSync(`/proc/sys/net/ipv6/conf/${interfaceName}/forwarding`, 'utf8').trim() === '1';
  } catch {
    return false;
  }
}

/**
 * GARP / unsolicited NA from the interface MAC (a VMAC's: the virtual MAC); one packet socket per
 * interface, reopened when the name now belongs to another ifindex (a VMAC deleted and recreated).
 */
export class LinuxL2Announcer implements L2AnnouncePort {
  private readonly announcers = new Map<string, { l2: L2Announcer; mac: Uint8Array }>();

  constructor(private readonly native: NativeAddon = loadNative()) {}

  private get(interfaceName: string): { l2: L2Announcer; mac: Uint8Array } {
    let entry = this.announcers.get(interfaceName);
    if (entry !== undefined && entry.l2.ifindex !== this.native.ifNameToIndex(interfaceName)) {
      entry.l2.close();
      this.announcers.delete(interfaceName);
      entry = undefined;
    }
    if (entry === undefined) {
      entry = { mac: interfaceMacSync(interfaceName), l2: L2Announcer.open(interfaceName) };
      this.announcers.set(interfaceName, entry);
    }
    return entry;
  }

  /**
   * Opens the packet socket and reads the MAC of an interface ahead of the first announcement
   * (a new master's first GARP then costs one sendmsg). False when that fails now (no such
   * interface yet): announce() tries again and reports the error.
   */
  prepare(interfaceName: string): boolean {
    try {
      this.get(interfaceName);
      return true;
    } catch {
      return false;
    }
  }

  announce(vip: VipSpec): Promise<void> {
    try {
      const { l2, mac } = this.get(vip.interfaceName);
      if (vip.address.includes(':')) l2.sendUnsolicitedNa(vip.address, mac, { router: ipv6Forwarding(vip.interfaceName) });
      else l2.sendGratuitousArp(vip.address, mac);
      return Promise.resolve();
    } catch (e) {
      return Promise.reject(e instanceof Error ? e : new Error(String(e)));
    }
  }

  close(): void {
    for (const { l2 } of this.announcers.values()) l2.close();
    this.announcers.clear();
  }
}

/** Monotonic µs clock on Node timers (the driver re-arms a timer that fires early). */
export function createDriverClock(): DriverClock {
  const timers = new Map<number, ReturnType<typeof setTimeout>>();
  let nextId = 1;
  return {
    nowUs: () => Math.round(performance.now() * 1000),
    setTimer(callback, delayUs): DriverTimerHandle {
      const id = nextId++;
      timers.set(id, setTimeout(() => {
        timers.delete(id);
        callback();
      }, Math.max(0, Math.ceil(delayUs / 1000))));
      return { id };
    },
    clearTimer(handle) {
      const t = timers.get(handle.id);
      if (t !== undefined) clearTimeout(t);
      timers.delete(handle.id);
    },
  };
}

/** notify scripts through the process runner, spawned after the current event (an advert never waits). */
export class LinuxScriptRunner implements ScriptRunnerPort {
  constructor(
    private readonly runner: ProcessRunner,
    private readonly onFailure: (message: string) => void,
    private readonly timeoutMs = NOTIFY_TIMEOUT_MS,
  ) {}

  private readonly pending = new Set<Promise<void>>();

  run(command: NotifyCommand): void {
    const done = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => this.runner.run({ argv: command.argv, uid: command.uid, gid: command.gid, timeoutMs: this.timeoutMs, discardOutput: true }))
      .then((outcome) => {
        if (outcome.kind === 'exited' && outcome.exitCode === 0) return;
        const what = outcome.kind === 'exited' ? `exited with status ${outcome.exitCode}` : outcome.kind === 'spawn-failed' ? `could not start (${outcome.code})` : outcome.kind;
        this.onFailure(`Script ${command.argv.join(' ')} ${what}`);
      });
    this.pending.add(done);
    void done.finally(() => this.pending.delete(done));
  }

  /** Resolves when every script started so far has finished (shutdown: notify_stop runs). */
  async idle(): Promise<void> {
    await Promise.allSettled([...this.pending]);
  }
}
