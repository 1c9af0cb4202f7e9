/**
 * The per-interface sysctls keepalived sets (under /proc/sys/net): arp_ignore / arp_filter for
 * VMACs and their base interface, accept_local and rp_filter for unicast on VMACs,
 * promote_secondaries for promote_secondaries, and IPv6 accept_ra etc. Asynchronous file I/O;
 * the root directory is injectable for tests.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SysctlError } from './errors.js';

export type Ipv4ConfKey = 'arp_ignore' | 'arp_filter' | 'arp_announce' | 'accept_local' | 'rp_filter'
  | 'promote_secondaries' | 'send_redirects' | 'forwarding';
export type Ipv6ConfKey = 'accept_ra' | 'accept_dad' | 'disable_ipv6' | 'forwarding' | 'autoconf' | 'addr_gen_mode';

function checkInterface(name: string): void {
  if (name === '' || name === '.' || name === '..' || name.includes('/') || name.includes('\0') || name.length > 15) {
    if (name !== 'all' && name !== 'default') throw new SysctlError(name, undefined, `"${name}" is not an interface name`);
  }
}

function errnoOf(e: unknown): string | undefined {
  const code = (e as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

export class Sysctl {
  constructor(private readonly root = '/proc/sys') {}

  async read(path: readonly string[]): Promise<string> {
    const file = join(this.root, ...path);
    try {
      return (await readFile(file, 'utf8')).trim();
    } catch (e) {
      throw new SysctlError(file, errnoOf(e), `reading ${file}: ${(e as Error).message}`);
    }
  }

  async write(path: readonly string[], value: string | number): Promise<void> {
    const file = join(this.root, ...path);
    try {
      await writeFile(file, `${value}\n`);
    } catch (e) {
      throw new SysctlError(file, errnoOf(e), `writing ${value} to ${file}: ${(e as Error).message}`);
    }
  }

  /** net.ipv4.conf.IF.KEY (IF may be "all" or "default"). */
  async readIpv4(ifname: string, key: Ipv4ConfKey): Promise<number> {
    checkInterface(ifname);
    return Number(await this.read(['net', 'ipv4', 'conf', ifname, key]));
  }

  async setIpv4(ifname: string, key: Ipv4ConfKey, value: number): Promise<void> {
    checkInterface(ifname);
    await this.write(['net', 'ipv4', 'conf', ifname, key], value);
  }

  async setIpv6(ifname: string, key: Ipv6ConfKey, value: number): Promise<void> {
    checkInterface(ifname);
    await this.write(['net', 'ipv6', 'conf', ifname, key], value);
  }

  /**
   * What keepalived does to a VMAC interface: arp_ignore=1 and arp_filter=1 so it answers ARP
   * only for its own addresses, accept_local=1 and rp_filter=0 so adverts sent by the base
   * interface are received. Returns the previous values, for restoring on removal.
   */
  async prepareVmac(vmac: string): Promise<Record<Ipv4ConfKey, number>> {
    const keys: Array<[Ipv4ConfKey, number]> = [['arp_ignore', 1], ['arp_filter', 1], ['accept_local', 1], ['rp_filter', 0]];
    const previous: Partial<Record<Ipv4ConfKey, number>> = {};
    for (const [key, value] of keys) {
      previous[key] = await this.readIpv4(vmac, key);
      await this.setIpv4(vmac, key, value);
    }
    return previous as Record<Ipv4ConfKey, number>;
  }

  async setPromoteSecondaries(ifname: string, on: boolean): Promise<void> {
    await this.setIpv4(ifname, 'promote_secondaries', on ? 1 : 0);
  }
}
