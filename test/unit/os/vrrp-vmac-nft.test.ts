/**
 * The nftables commands of the VMAC report rule (keepalived's IGMP/MLD rule, our own table): built
 * fresh on first use, one element per VMAC, refilled on removal, the table dropped with the last.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ProcessRunner, RunOutcome, RunRequest } from '../../../src/os/process-port.js';
import { VmacMulticastRules } from '../../../src/os/linux/vrrp-vmac-nft.js';

class RecordingRunner implements ProcessRunner {
  readonly batches: string[] = [];
  fail: string | undefined;
  async run(request: RunRequest): Promise<RunOutcome> {
    this.batches.push(request.argv.slice(1).join(' '));
    const exitCode = this.fail === undefined ? 0 : 1;
    return { kind: 'exited', exitCode, stdout: '', stderr: this.fail ?? '', outputTruncated: false };
  }
}

test('IPv4: the table is rebuilt on first use; elements follow the VMACs; the last one takes the table', async () => {
  const runner = new RecordingRunner();
  const rules = new VmacMulticastRules(runner);
  await rules.add('ipv4', 'vrrp.51', 'eth0');
  await rules.add('ipv4', 'vrrp.52', 'eth1');
  await rules.remove('ipv4', 'vrrp.51');
  await rules.remove('ipv4', 'vrrp.52');
  await rules.remove('ipv4', 'vrrp.52');
  assert.deepEqual(runner.batches, [
    'add table ip keepalived_ts_vmac; delete table ip keepalived_ts_vmac; add table ip keepalived_ts_vmac; '
      + 'add map ip keepalived_ts_vmac vmac_map { type iface_index : iface_index; }; '
      + 'add chain ip keepalived_ts_vmac out { type filter hook output priority filter - 1; policy accept; }; '
      + 'add rule ip keepalived_ts_vmac out ip protocol igmp meta oifkind "macvlan" dup to ip daddr device oif map @vmac_map drop; '
      + 'add element ip keepalived_ts_vmac vmac_map { "vrrp.51" : "eth0" }',
    'add element ip keepalived_ts_vmac vmac_map { "vrrp.52" : "eth1" }',
    'flush map ip keepalived_ts_vmac vmac_map; add element ip keepalived_ts_vmac vmac_map { "vrrp.52" : "eth1" }',
    'delete table ip keepalived_ts_vmac',
  ]);
});

test('IPv6: MLDv2 reports, in an ip6 table of its own', async () => {
  const runner = new RecordingRunner();
  await new VmacMulticastRules(runner).add('ipv6', 'vrrp.52', 'eth0');
  assert.match(runner.batches[0] ?? '', /add rule ip6 keepalived_ts_vmac out icmpv6 type mld2-listener-report meta oifkind "macvlan" dup to ip6 daddr device oif map @vmac_map drop/);
});

test('nft failing is an error with its message; a name nft cannot take is refused before running it', async () => {
  const runner = new RecordingRunner();
  runner.fail = 'Error: Could not process rule: No such file or directory';
  await assert.rejects(new VmacMulticastRules(runner).add('ipv4', 'vrrp.51', 'eth0'), /nft: Error: Could not process rule/);
  await assert.rejects(new VmacMulticastRules(new RecordingRunner()).add('ipv4', 'a"b', 'eth0'), /not an interface name/);
});
