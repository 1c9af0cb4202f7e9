/**
 * The nftables rules keepalived 2.2.7 installs for VMACs (measured: `nft list ruleset` while it
 * ran): IGMP (IPv4) and MLDv2 reports (IPv6) that would leave a VMAC are duplicated to its base
 * interface and dropped on the VMAC, so a backup never sends a frame with the virtual MAC (a
 * switch would then send the VIP's traffic to the backup). keepalived keeps them in its table
 * `keepalived`; ours is `keepalived_ts_vmac` (per family), so that the firewall rules of no_accept /
 * vrrp_strict can own their table independently. The table is rebuilt on first use (a killed
 * run's leftovers go) and deleted with the last VMAC of its family.
 *
 *   table ip keepalived_ts_vmac {
 *     map vmac_map { type iface_index : iface_index; elements = { "vrrp.51" : "eth0" } }
 *     chain out { type filter hook output priority filter - 1; policy accept;
 *       ip protocol igmp meta oifkind "macvlan" dup to ip daddr device oif map @vmac_map drop }
 *   }
 */
import type { ProcessRunner } from '../process-port.js';

export const VMAC_NFT_TABLE = 'keepalived_ts_vmac';
const NFT_TIMEOUT_MS = 10_000;

type Family = 'ipv4' | 'ipv6';

function quoted(name: string): string {
  if (!/^[A-Za-z0-9_.:@-]{1,15}$/.test(name)) throw new Error(`"${name}" is not an interface name nftables can take`);
  return `"${name}"`;
}

export class VmacMulticastRules {
  /** VMAC -> base, per family, as installed. */
  private readonly members = new Map<Family, Map<string, string>>([['ipv4', new Map()], ['ipv6', new Map()]]);

  constructor(
    private readonly runner: ProcessRunner,
    private readonly nftPath = 'nft',
    private readonly table = VMAC_NFT_TABLE,
  ) {}

  private nftFamily(family: Family): string {
    return family === 'ipv4' ? 'ip' : 'ip6';
  }

  private async nft(commands: readonly string[]): Promise<void> {
    const outcome = await this.runner.run({ argv: [this.nftPath, commands.join('; ')], timeoutMs: NFT_TIMEOUT_MS });
    if (outcome.kind === 'exited' && outcome.exitCode === 0) return;
    const why = outcome.kind === 'exited' ? outcome.stderr.trim() || `exit ${outcome.exitCode}` : outcome.kind === 'spawn-failed' ? outcome.message : outcome.kind;
    throw new Error(`nft: ${why}`);
  }

  /** Routes the VMAC's IGMP (IPv4) or MLD (IPv6) reports out of its base interface. */
  async add(family: Family, vmac: string, base: string): Promise<void> {
    const members = this.members.get(family) ?? new Map<string, string>();
    const f = this.nftFamily(family);
    const t = `${f} ${this.table}`;
    const commands: string[] = [];
    if (members.size === 0) {
      const report = family === 'ipv4' ? 'ip protocol igmp' : 'icmpv6 type mld2-listener-report';
      commands.push(
        `add table ${t}`, `delete table ${t}`, `add table ${t}`,
        `add map ${t} vmac_map { type iface_index : iface_index; }`,
        `add chain ${t} out { type filter hook output priority filter - 1; policy accept; }`,
        `add rule ${t} out ${report} meta oifkind "macvlan" dup to ${f} daddr device oif map @vmac_map drop`,
      );
    } else if (members.has(vmac)) {
      commands.push(`delete element ${t} vmac_map { ${quoted(vmac)} }`);
    }
    commands.push(`add element ${t} vmac_map { ${quoted(vmac)} : ${quoted(base)} }`);
    await this.nft(commands);
    members.set(vmac, base);
    this.members.set(family, members);
  }

  /**
   * After the VMAC is deleted (so that the retransmitted leave reports, which the kernel sends
   * for a while after the group is left, die with it instead of leaving with the virtual MAC):
   * the map is refilled with the others; the table goes with the family's last VMAC.
   */
  async remove(family: Family, vmac: string): Promise<void> {
    const members = this.members.get(family);
    if (members === undefined || !members.has(vmac)) return;
    members.delete(vmac);
    const t = `${this.nftFamily(family)} ${this.table}`;
    if (members.size === 0) {
      await this.nft([`delete table ${t}`]);
      return;
    }
    const elements = [...members].map(([v, base]) => `${quoted(v)} : ${quoted(base)}`).join(', ');
    await this.nft([`flush map ${t} vmac_map`, `add element ${t} vmac_map { ${elements} }`]);
  }
}
