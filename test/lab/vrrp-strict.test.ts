/**
 * no_accept / vrrp_strict on a real kernel: a keepalived-ts MASTER with vrrp_strict drops a
 * client's ping and TCP to its VIP (while its own address answers), as keepalived 2.2.7 does; with
 * `accept` the VIP answers. The table `inet keepalived_ts_vrrp` exists while MASTER, a leftover of
 * a killed daemon is removed at the next start, and SIGTERM removes it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Lab, type LabHost, type LabProcess } from '../support/lab/index.js';
import { createBatch, deleteBatch, deltaBatch, elementsOf } from '../../src/vrrp/vip-filter-nft.js';
import { KEEPALIVED_TS_BIN, Scratch, stopGracefully, waitLog, waitVip } from './vrrp-support.js';

const VIP = '192.0.2.100';
const PORT = 8080;
const TABLE = 'keepalived_ts_vrrp';
/** Master_Down_Interval at advert_int 1, priority 100 (3.61 s), plus a generous margin for a loaded machine. */
const MASTER_DOWN_BOUND_MS = 8_000;

function conf(globals: readonly string[], extra: readonly string[]): string {
  return [
    'global_defs {', '  router_id lab', ...globals.map((l) => `  ${l}`), '}',
    'vrrp_instance VI_1 {', '  state BACKUP', '  interface eth0', '  virtual_router_id 51', '  priority 100', '  advert_int 1',
    ...extra.map((l) => `  ${l}`),
    '  virtual_ipaddress {', `    ${VIP}/24`, '  }', '}', '',
  ].join('\n');
}

function start(flavour: 'ts' | 'keepalived', host: LabHost, scratch: Scratch, text: string, tag: string): LabProcess {
  const file = scratch.file(`${tag}.conf`, text);
  const args = ['-n', '-l', '-D', '-P', '-f', file, '-p', scratch.path(`${tag}.pid`), '-r', scratch.path(`${tag}-vrrp.pid`)];
  if (flavour === 'ts') return host.spawn(process.execPath, [KEEPALIVED_TS_BIN, '-G', ...args], { TMPDIR: scratch.dir });
  return host.spawn('/usr/sbin/keepalived', args);
}

async function pings(client: LabHost, address: string): Promise<boolean> {
  return (await client.exec('ping', ['-n', '-c', '1', '-W', '1', address])).exitCode === 0;
}

/** A TCP connection to address:PORT that reads the listener's greeting within 1.5 s. */
async function tcpAnswers(client: LabHost, address: string): Promise<boolean> {
  const code = `const s=require('net').connect(${PORT},'${address}');s.setTimeout(1500);s.on('data',()=>process.exit(0));s.on('timeout',()=>process.exit(2));s.on('error',()=>process.exit(3));`;
  return (await client.exec(process.execPath, ['-e', code])).exitCode === 0;
}

async function table(host: LabHost, family: string, name: string): Promise<string | undefined> {
  const r = await host.exec('nft', ['list', 'table', family, name]);
  return r.exitCode === 0 ? r.stdout : undefined;
}

async function waitTable(host: LabHost, present: boolean, timeoutMs: number): Promise<void> {
  const start = performance.now();
  while (performance.now() - start < timeoutMs) {
    if ((await table(host, 'inet', TABLE) !== undefined) === present) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  assert.fail(`table inet ${TABLE} ${present ? 'never appeared' : 'never went'} within ${timeoutMs} ms`);
}

async function becomeMaster(proc: LabProcess, host: LabHost): Promise<void> {
  await waitLog(proc, /\(VI_1\) Entering BACKUP STATE \(init\)/, 8_000);
  await waitLog(proc, /\(VI_1\) Entering MASTER STATE/, MASTER_DOWN_BOUND_MS);
  await waitVip(host, VIP, true, 2_000);
}

test('vrrp_strict MASTER drops traffic to its VIP (as keepalived 2.2.7), accept answers; table removed at start and stop', { timeout: 90_000 }, async (t) => {
  const lab = await Lab.create({ hosts: 2 });
  const scratch = new Scratch();
  try {
    const node = lab.host(1);
    const client = lab.host(2);
    node.spawn(process.execPath, ['-e', `require('net').createServer((s)=>s.end('hi\\n')).listen(${PORT})`]);
    const strict = conf(['vrrp_strict'], []);

    // the kernel takes every batch we generate: IPv4, IPv6, link-local with its interface, counters
    const o = { table: 'kts_json_check', priority: -5, counters: true };
    const vips = [{ address: VIP, prefixLength: 24, interfaceName: 'eth0' }, { address: '2001:db8::100', prefixLength: 64, interfaceName: 'eth0' }, { address: 'fe80::1234', prefixLength: 64, interfaceName: 'eth0' }];
    await node.execOk('nft', ['-j', JSON.stringify(createBatch(o, elementsOf(vips)))]);
    await node.execOk('nft', ['-j', JSON.stringify(createBatch(o, elementsOf(vips)))]); // replaces an existing table
    await node.execOk('nft', ['-j', JSON.stringify(deltaBatch(o, elementsOf(vips), elementsOf(vips.slice(1))))]);
    const listed = (await table(node, 'inet', o.table)) ?? '';
    assert.match(listed, /set vips6 \{[^}]*elements = \{ 2001:db8::100 \}/);
    assert.match(listed, /elements = \{ fe80::1234 \. "eth0" \}/);
    assert.match(listed, /type filter hook input priority filter - 5; policy accept;\n\t\tip daddr @vips counter packets 0 bytes 0 drop/);
    assert.doesNotMatch(listed, /192\.0\.2\.100/);
    await node.execOk('nft', ['-j', JSON.stringify(deleteBatch(o))]);
    await node.execOk('nft', ['-j', JSON.stringify(deleteBatch(o))]); // absent: still fine
    assert.equal(await table(node, 'inet', o.table), undefined);

    // keepalived-ts, vrrp_strict (no_accept): the VIP is held but unreachable; the node's own address answers
    let ts = start('ts', node, scratch, strict, 'ts1');
    await becomeMaster(ts, node);
    await waitLog(ts, /\(VI_1\) setting firewall drop rule/, 1_000);
    await waitTable(node, true, 3_000);
    assert.match((await table(node, 'inet', TABLE)) ?? '', /set vips \{[^}]*elements = \{ 192\.0\.2\.100 \}/);
    assert.equal(await pings(client, node.ipv4), true, 'control: the node answers on its own address');
    assert.equal(await tcpAnswers(client, node.ipv4), true, 'control: the listener answers on the node address');
    assert.equal(await pings(client, VIP), false, 'ping to the VIP is dropped');
    assert.equal(await tcpAnswers(client, VIP), false, 'TCP to the VIP is dropped');

    // killed: the table stays; the next start removes it before any election (Master_Down is 3.6 s away)
    ts.signal('SIGKILL');
    await ts.exited;
    assert.ok(await table(node, 'inet', TABLE), 'a killed daemon leaves its table');
    ts = start('ts', node, scratch, strict, 'ts2');
    await waitLog(ts, /\(VI_1\) Entering BACKUP STATE \(init\)/, 8_000);
    await waitTable(node, false, 3_000);
    await waitVip(node, VIP, false, 2_000);
    await stopGracefully(ts);

    // keepalived-ts with accept: the VIP answers, no table
    ts = start('ts', node, scratch, conf([], ['accept']), 'ts3');
    await becomeMaster(ts, node);
    assert.equal(await pings(client, VIP), true, 'accept: ping to the VIP answers');
    assert.equal(await tcpAnswers(client, VIP), true, 'accept: TCP to the VIP answers');
    assert.equal(await table(node, 'inet', TABLE), undefined);
    await stopGracefully(ts);

    // vrrp_strict again, stopped with SIGTERM: VIP and table go
    ts = start('ts', node, scratch, strict, 'ts4');
    await becomeMaster(ts, node);
    await waitTable(node, true, 3_000);
    await stopGracefully(ts);
    assert.equal(await table(node, 'inet', TABLE), undefined, 'SIGTERM removes the table');
    await waitVip(node, VIP, false, 1_000);

    // the arbiter: keepalived 2.2.7 with the same config drops the same traffic (its own ip table)
    const ka = start('keepalived', node, scratch, strict, 'ka');
    await becomeMaster(ka, node);
    assert.ok(await table(node, 'ip', 'keepalived'), 'keepalived 2.2.7 uses table ip keepalived');
    assert.equal(await pings(client, VIP), false, 'keepalived 2.2.7: ping to the VIP is dropped too');
    assert.equal(await tcpAnswers(client, VIP), false, 'keepalived 2.2.7: TCP to the VIP is dropped too');
    await stopGracefully(ka);
    assert.equal(await table(node, 'ip', 'keepalived'), undefined);
    t.diagnostic('vrrp_strict: ping and TCP to the VIP dropped by keepalived-ts and keepalived 2.2.7 alike; accept answers');
  } finally {
    await lab.destroy();
    scratch.cleanup();
  }
});
