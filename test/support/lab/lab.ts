/**
 * The network-namespace lab: N test hosts (namespaces `<prefix>-h1..hN`) each with a veth `eth0`
 * plugged into a bridge `br0` that lives in its own namespace `<prefix>-br`. Nothing is created
 * in, or changed of, the root namespace. No host has a default route: traffic stays in the lab.
 *
 *   const lab = await Lab.create({ hosts: 2 });
 *   try { await lab.host(1).execOk('ping', ['-c1', lab.host(2).ipv4]); } finally { await lab.destroy(); }
 *
 * Teardown also happens at process exit, on SIGINT/SIGTERM/SIGHUP and after an uncaught exception
 * (registry.ts); `cleanupStale()` removes what a SIGKILLed run of this family left behind.
 */
import { statSync } from 'node:fs';
import { Capture, type CaptureOptions } from './capture.js';
import { LabError } from './errors.js';
import { LabHost } from './host.js';
import { bridgeNamespaceName, hostAddressing, hostNamespaceName, MAX_HOSTS, newRunPrefix } from './names.js';
import { assertLabAvailable } from './preflight.js';
import { deleteNamespace, deleteNamespaceSync, register, unregister } from './registry.js';
import { runOk } from './run.js';

export interface LabOptions {
  /** Number of test hosts, 1..99. */
  readonly hosts: number;
}

export const BRIDGE_NAME = 'br0';

export class Lab {
  readonly prefix: string;
  readonly bridgeNamespace: string;
  readonly hosts: readonly LabHost[];
  private readonly captures = new Set<Capture>();
  private readonly inodes = new Map<string, number>();
  private destroying: Promise<void> | undefined;

  private constructor(prefix: string, hosts: readonly LabHost[]) {
    this.prefix = prefix;
    this.bridgeNamespace = bridgeNamespaceName(prefix);
    this.hosts = hosts;
  }

  static async create(options: LabOptions): Promise<Lab> {
    const count = options.hosts;
    if (!Number.isInteger(count) || count < 1 || count > MAX_HOSTS) {
      throw new LabError('LAB_BAD_ARGUMENT', `hosts must be an integer in 1..${MAX_HOSTS}, got ${String(count)}`);
    }
    await assertLabAvailable();
    const prefix = newRunPrefix();
    const hosts = Array.from({ length: count }, (_, i) => makeHost(prefix, i + 1));
    const lab = new Lab(prefix, hosts);
    register(lab);
    try {
      await lab.build();
    } catch (e) {
      await lab.destroy();
      throw new LabError('LAB_SETUP_FAILED', `lab setup failed: ${(e as Error).message}`, { cause: e });
    }
    return lab;
  }

  /** Host i, 1-based like its addresses (host(1) is 192.0.2.1). */
  host(index: number): LabHost {
    const h = this.hosts[index - 1];
    if (!h) throw new LabError('LAB_BAD_ARGUMENT', `no host ${index} (lab has ${this.hosts.length})`);
    return h;
  }

  /** Every namespace of this lab (bridge first). */
  namespaces(): string[] {
    return [this.bridgeNamespace, ...this.hosts.map((h) => h.namespace)];
  }

  /** Inode of each namespace at creation (to prove later that no process still holds it). */
  namespaceInodes(): ReadonlyMap<string, number> {
    return this.inodes;
  }

  /**
   * Starts tshark on `iface` of a host (or of the bridge namespace: 'bridge', iface br0) with a
   * capture filter; resolves once tshark is capturing.
   */
  async capture(where: LabHost | number | 'bridge', iface?: string, filter = '', options: CaptureOptions = {}): Promise<Capture> {
    const namespace = where === 'bridge' ? this.bridgeNamespace : this.resolveHost(where).namespace;
    const device = iface ?? (where === 'bridge' ? BRIDGE_NAME : 'eth0');
    const capture = await Capture.start(namespace, device, filter, options);
    this.captures.add(capture);
    return capture;
  }

  /** Stops captures and processes, deletes every namespace. Idempotent; safe after a failed create. */
  destroy(): Promise<void> {
    this.destroying ??= this.teardown();
    return this.destroying;
  }

  /** Synchronous teardown for the process-exit hook. */
  destroySync(): void {
    for (const c of this.captures) c.killSync();
    for (const h of this.hosts) h.killAllSync();
    for (const name of this.namespaces()) deleteNamespaceSync(name);
    for (const h of this.hosts) h.markDestroyed();
    unregister(this);
  }

  private async teardown(): Promise<void> {
    await Promise.allSettled([...this.captures].map((c) => c.discard()));
    await Promise.allSettled(this.hosts.map((h) => h.stopAll()));
    for (const h of this.hosts) h.markDestroyed();
    const results = await Promise.allSettled(this.namespaces().map((n) => deleteNamespace(n)));
    unregister(this);
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw new LabError('LAB_COMMAND_FAILED', `teardown of ${this.prefix} incomplete: ${String(failed.reason)}`);
  }

  private resolveHost(where: LabHost | number): LabHost {
    return typeof where === 'number' ? this.host(where) : where;
  }

  private async build(): Promise<void> {
    const names = this.namespaces();
    await runOk('ip', ['-batch', '-'], { input: names.map((n) => `netns add ${n}\n`).join('') });
    for (const n of names) this.inodes.set(n, statSync(`/run/netns/${n}`).ino);
    // IPv6 DAD off before eth0 exists, so link-local and global addresses are usable at once.
    await Promise.all(this.hosts.map((h) => disableDad(h.namespace)));
    await runOk('ip', ['-n', this.bridgeNamespace, '-batch', '-'], { input: this.bridgeBatch() });
    await Promise.all(this.hosts.map((h) => runOk('ip', ['-n', h.namespace, '-batch', '-'], { input: hostBatch(h) })));
  }

  private bridgeBatch(): string {
    const lines = [
      'link set lo up',
      `link add ${BRIDGE_NAME} type bridge stp_state 0 forward_delay 0 mcast_snooping 0`,
      `link set ${BRIDGE_NAME} up`,
    ];
    for (const h of this.hosts) {
      const port = bridgePortName(h.index);
      lines.push(`link add ${port} type veth peer name ${h.ifname} netns ${h.namespace}`);
      lines.push(`link set ${port} master ${BRIDGE_NAME} up`);
    }
    return `${lines.join('\n')}\n`;
  }
}

function bridgePortName(index: number): string {
  return `vh${index}`;
}

function makeHost(prefix: string, index: number): LabHost {
  return new LabHost({
    index,
    namespace: hostNamespaceName(prefix, index),
    bridgeNamespace: bridgeNamespaceName(prefix),
    bridgePort: bridgePortName(index),
    ...hostAddressing(index),
  });
}

function hostBatch(h: LabHost): string {
  return [
    'link set lo up',
    `link set ${h.ifname} address ${h.mac}`,
    `addr add ${h.ipv4}/${h.ipv4PrefixLength} dev ${h.ifname}`,
    `addr add ${h.ipv6}/${h.ipv6PrefixLength} dev ${h.ifname} nodad`,
    `link set ${h.ifname} up`,
    '',
  ].join('\n');
}

async function disableDad(namespace: string): Promise<void> {
  await runOk('ip', ['netns', 'exec', namespace, 'sysctl', '-q', '-w',
    'net.ipv6.conf.all.accept_dad=0', 'net.ipv6.conf.default.accept_dad=0']);
}
