/**
 * The advert source taken from the interface (no mcast_src_ip): the master's only IPv4 address is
 * deleted (the kernel drops the VIP, a secondary of it, too) -> "Deassigned address A from
 * interface eth0" and FAULT, the peer takes over; the address re-added -> "Assigned address A for
 * interface eth0", BACKUP, then preemption back. keepalived 2.2.7 does this with or without
 * `track_src_ip` (set here); each flavour is the master once, with the other as its peer.
 * With another IPv4 address on the interface, the adverts move silently to it and stay there when
 * the original comes back, also across a reload (the peer's capture is the judge).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Lab, type LabProcess } from '../support/lab/index.js';
import { holdsVip, Scratch, startDaemon, stopGracefully, waitLog, waitVip, type Flavour } from './vrrp-support.js';

const VIP = '192.0.2.100';

async function sourceDeleted(master: Flavour, backup: Flavour, report: (line: string) => void): Promise<void> {
  const lab = await Lab.create({ hosts: 2 });
  const scratch = new Scratch();
  try {
    const h1 = lab.host(1);
    const h2 = lab.host(2);
    const conf = { vips: [`${VIP}/24`], extra: ['track_src_ip'] };
    const m = startDaemon(master, h1, scratch, { ...conf, priority: 150 }, 'h1');
    await waitLog(m, /\(VI_1\) Entering BACKUP STATE \(init\)/, 5_000);
    const b = startDaemon(backup, h2, scratch, { ...conf, priority: 100 }, 'h2');
    await waitLog(m, /\(VI_1\) Entering MASTER STATE/, 6_000);
    await waitVip(h1, VIP, true, 2_000);
    const address = `${h1.ipv4}/${h1.ipv4PrefixLength}`;
    await h1.ip(['addr', 'del', address, 'dev', 'eth0']);
    await waitLog(m, (l) => l.endsWith(`Deassigned address ${h1.ipv4} from interface eth0`), 3_000);
    await waitLog(m, /\(VI_1\) Entering FAULT STATE/, 3_000);
    const takeoverMs = await waitVip(h2, VIP, true, 6_000);
    report(`${backup} took the VIP ${takeoverMs} ms after ${master} lost its address`);
    await h1.ip(['addr', 'add', address, 'dev', 'eth0']);
    await waitLog(m, (l) => l.endsWith(`Assigned address ${h1.ipv4} for interface eth0`), 3_000);
    const back = await waitVip(h1, VIP, true, 7_000);
    report(`${master} took the VIP back ${back} ms after its address returned`);
    await waitVip(h2, VIP, false, 2_000);
    const transitions = m.stdoutLines.concat(m.stderrLines).filter((l) => /Entering .* STATE/.test(l)).map((l) => l.replace(/^.*(\(VI_1\) Entering)/, '$1'));
    assert.deepEqual(transitions.slice(-3), ['(VI_1) Entering FAULT STATE', '(VI_1) Entering BACKUP STATE', '(VI_1) Entering MASTER STATE'], transitions.join('\n'));
    await stopGracefully(m);
    await stopGracefully(b);
  } finally {
    await lab.destroy();
    scratch.cleanup();
  }
}

test('source address deleted and re-added: keepalived-ts master -> FAULT, keepalived takes over; back -> BACKUP, preempts', { timeout: 40_000 }, async (t) => {
  await sourceDeleted('ts', 'keepalived', (line) => t.diagnostic(line));
});

test('source address deleted and re-added: keepalived master does the same with keepalived-ts as its peer', { timeout: 40_000 }, async (t) => {
  await sourceDeleted('keepalived', 'ts', (line) => t.diagnostic(line));
});

const FIRST = '203.0.113.1';
const OTHER = '198.51.100.1';

/** Adverts captured by `dump` (tcpdump -n -l) from `source`. */
const advertsFrom = (dump: LabProcess, source: string): number => dump.stdoutLines.filter((l) => l.includes(`IP ${source} > 224.0.0.18: VRRP`)).length;

async function sourceMoved(master: Flavour, backup: Flavour, report: (line: string) => void): Promise<void> {
  const lab = await Lab.create({ hosts: 2 });
  const scratch = new Scratch();
  try {
    const h1 = lab.host(1);
    const h2 = lab.host(2);
    const dump = h2.spawn('tcpdump', ['-n', '-l', '-i', 'eth0', 'ip proto 112']);
    await waitLog(dump, /listening on/, 10_000);
    // two more addresses: the source moves to the LAST one, which a reload must keep (the dump's first is FIRST)
    await h1.ip(['addr', 'add', `${FIRST}/24`, 'dev', 'eth0']);
    await h1.ip(['addr', 'add', `${OTHER}/24`, 'dev', 'eth0']);
    const conf = { vips: [`${VIP}/32`], extra: ['track_src_ip'] };
    const m = startDaemon(master, h1, scratch, { ...conf, priority: 150 }, 'h1');
    await waitLog(m, /\(VI_1\) Entering BACKUP STATE \(init\)/, 5_000);
    const b = startDaemon(backup, h2, scratch, { ...conf, priority: 100 }, 'h2');
    await waitLog(m, /\(VI_1\) Entering MASTER STATE/, 6_000);
    await waitLog(dump, (l) => l.includes(`IP ${h1.ipv4} > 224.0.0.18: VRRP`), 3_000);
    const primary = `${h1.ipv4}/${h1.ipv4PrefixLength}`;
    await h1.ip(['addr', 'del', primary, 'dev', 'eth0']);
    await waitLog(dump, (l) => l.includes(`IP ${OTHER} > 224.0.0.18: VRRP`), 3_000).catch((e: Error) => {
      throw new Error(`${e.message}\n--- ${master} master ---\n${m.stdoutLines.concat(m.stderrLines).slice(-15).join('\n')}`);
    });
    await h1.ip(['addr', 'add', primary, 'dev', 'eth0']);
    const fromOriginal = advertsFrom(dump, h1.ipv4);
    const fromOther = advertsFrom(dump, OTHER);
    // two more adverts (advert_int 1): still from the other address
    await waitLog(dump, () => advertsFrom(dump, OTHER) >= fromOther + 2, 4_000);
    // a reload keeps the moved source (keepalived keeps the interface's address)
    m.signal('SIGHUP');
    await waitLog(m, /Reload (complete|finished)/, 5_000);
    const afterReload = advertsFrom(dump, OTHER);
    await waitLog(dump, () => advertsFrom(dump, OTHER) >= afterReload + 2, 4_000);
    report(`${master} master: ${advertsFrom(dump, OTHER)} adverts from ${OTHER}, ${fromOriginal} from ${h1.ipv4} (all before its deletion)`);
    assert.equal(advertsFrom(dump, h1.ipv4), fromOriginal, dump.stdoutLines.slice(-8).join('\n'));
    assert.equal(advertsFrom(dump, FIRST), 0, dump.stdoutLines.slice(-8).join('\n'));
    assert.ok(await holdsVip(h1, VIP), 'the master kept its VIP');
    assert.ok(!(await holdsVip(h2, VIP)), `the ${backup} backup took the VIP`);
    const lines = m.stdoutLines.concat(m.stderrLines);
    assert.ok(!lines.some((l) => /Deassigned address|Entering FAULT/.test(l)), lines.join('\n'));
    await stopGracefully(m);
    await stopGracefully(b);
  } finally {
    await lab.destroy();
    scratch.cleanup();
  }
}

test('primary address deleted, another left: keepalived-ts master sends from it, also after the original returns and a reload; keepalived stays backup', { timeout: 40_000 }, async (t) => {
  await sourceMoved('ts', 'keepalived', (line) => t.diagnostic(line));
});

test('primary address deleted, another left: keepalived 2.2.7 master does the same', { timeout: 40_000 }, async (t) => {
  await sourceMoved('keepalived', 'ts', (line) => t.diagnostic(line));
});
