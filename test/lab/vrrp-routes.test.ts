/**
 * Virtual routes and rules appear and disappear with mastership, on real kernels: keepalived-ts on
 * h1 (priority 150) and keepalived 2.2.7 on h2 (priority 100) with the same virtual_routes,
 * virtual_rules and static_* blocks. `ip route show table all proto keepalived` and `ip rule` in
 * each namespace are the judges; what keepalived installs as MASTER is the reference for what we
 * install (same text, byte for byte). Covered: an IPv4 route via a gateway, a blackhole route, a
 * route in table 100 with a rule to it, a route whose src is the VIP (needs the VIP first), an
 * IPv6 route; static routes/rules/addresses for the daemon's life; a SIGHUP reload that touches
 * nothing unchanged (`ip monitor route rule` silent) and adds only a new route; route tracking (a
 * deleted tracked route makes the MASTER step down and take over again; a deleted static route or
 * address is put back); -V/--dont-release-vrrp at the last stop leaves the VIP and the virtual
 * routes and rules (the static ones go), as keepalived 2.2.7 does.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Lab, type LabHost, type LabProcess } from '../support/lab/index.js';
import { confText, holdsVip, Scratch, startDaemon, stopGracefully, waitLog, type Flavour, type InstanceConf } from './vrrp-support.js';

const VIP = '192.0.2.100';
const ELECTION_MS = 8_000;

function conf(host: 1 | 2, priority: number): InstanceConf {
  return {
    priority,
    vips: [`${VIP}/24`],
    top: [
      'static_ipaddress {', `  192.0.2.5${host}/24 dev eth0`, '}',
      'static_routes {', '  203.0.113.128/25 via 192.0.2.254 dev eth0', '}',
      'static_rules {', '  from 203.0.113.1 table 200 priority 200', '}',
    ],
    extra: [
      'virtual_routes {',
      '  198.51.100.0/24 via 192.0.2.254 dev eth0',
      '  blackhole 203.0.113.0/26',
      '  198.51.100.128/25 via 192.0.2.254 dev eth0 table 100',
      `  198.51.100.64/26 via 192.0.2.254 src ${VIP}`,
      '  2001:db8:1::/48 via 2001:db8::fe dev eth0',
      '}',
      'virtual_rules {',
      `  from ${VIP} table 100 priority 100`,
      '  fwmark 5 table 100 priority 102',
      '}',
    ],
  };
}

/** Routes with protocol keepalived on `host`, as `ip -d` prints them (IPv4 then IPv6; the filter leaves "proto keepalived" out). */
async function keepalivedRoutes(host: LabHost): Promise<string[]> {
  const out: string[] = [];
  for (const family of ['-4', '-6']) {
    const routes = await host.ip(['-d', family, 'route', 'show', 'table', 'all', 'proto', 'keepalived']);
    out.push(...routes.stdout.split('\n').map((l) => l.trim()).filter((l) => l !== ''));
  }
  return out;
}

async function keepalivedRules(host: LabHost): Promise<string[]> {
  const out: string[] = [];
  for (const family of ['-4', '-6']) {
    const rules = await host.ip([family, 'rule', 'show']);
    out.push(...rules.stdout.split('\n').map((l) => l.trim()).filter((l) => l.includes('proto keepalived')));
  }
  return out;
}

const STATIC_ROUTE = /^unicast 203\.0\.113\.128\/25 via 192\.0\.2\.254 dev eth0 table main scope global/;
const STATIC_RULE = /^200:\s+from 203\.0\.113\.1 lookup 200 proto keepalived$/;
const VIRTUAL_ROUTES = 5;
const VIRTUAL_RULES = 2;

async function waitFor<T>(what: string, probe: () => Promise<T>, ok: (v: T) => boolean, timeoutMs: number): Promise<T> {
  const start = performance.now();
  let last = await probe();
  while (!ok(last)) {
    if (performance.now() - start > timeoutMs) throw new Error(`${what} not reached within ${timeoutMs} ms; last: ${JSON.stringify(last, null, 1)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
    last = await probe();
  }
  return last;
}

/** Virtual routes/rules installed (static ones always): counts with the static entry included. */
async function waitInstalled(host: LabHost, installed: boolean): Promise<{ routes: string[]; rules: string[] }> {
  const routes = await waitFor(`host ${host.index} virtual routes ${installed ? 'in' : 'out'}`, () => keepalivedRoutes(host),
    (r) => r.length === (installed ? VIRTUAL_ROUTES : 0) + 1, 3_000);
  const rules = await waitFor(`host ${host.index} virtual rules ${installed ? 'in' : 'out'}`, () => keepalivedRules(host),
    (r) => r.length === (installed ? VIRTUAL_RULES : 0) + 1, 3_000);
  return { routes, rules };
}

/** Waits until the daemon has finished `n` reloads ("Reload finished in ... usec"). */
async function waitReloads(p: LabProcess, n: number): Promise<void> {
  const count = (): number => [...p.stdoutLines, ...p.stderrLines].filter((l) => /Reload finished/.test(l)).length;
  await waitFor(`reload ${n}`, async () => count(), (c) => c >= n, 5_000);
}

function logOf(p: LabProcess): string {
  return [...p.stdoutLines, ...p.stderrLines].slice(-40).join('\n');
}

test('virtual routes and rules appear and disappear with mastership (keepalived-ts and keepalived 2.2.7 install the same)', { timeout: 60_000 }, async (t) => {
  const lab = await Lab.create({ hosts: 2 });
  const scratch = new Scratch();
  try {
    const h1 = lab.host(1);
    const h2 = lab.host(2);
    const start = (flavour: Flavour, host: 1 | 2, priority: number, tag: string, extraArgs: readonly string[] = []): LabProcess =>
      startDaemon(flavour, host === 1 ? h1 : h2, scratch, conf(host, priority), tag, extraArgs);

    let ours = start('ts', 1, 150, 'h1');
    await waitLog(ours, /\(VI_1\) Entering BACKUP STATE \(init\)/, 5_000);
    const theirs = start('keepalived', 2, 100, 'h2');
    await waitLog(ours, /\(VI_1\) Entering MASTER STATE/, ELECTION_MS);
    await waitLog(ours, /\(VI_1\) setting Virtual Rules/, 1_000);
    const oursAsMaster = await waitInstalled(h1, true);
    const theirsAsBackup = await waitInstalled(h2, false);
    t.diagnostic(`keepalived-ts as MASTER:\n${[...oursAsMaster.routes, ...oursAsMaster.rules].join('\n')}`);
    assert.ok(oursAsMaster.routes.some((r) => STATIC_ROUTE.test(r)), 'our static route');
    assert.ok(oursAsMaster.rules.some((r) => STATIC_RULE.test(r)), 'our static rule');
    assert.ok(theirsAsBackup.routes.some((r) => STATIC_ROUTE.test(r)) && theirsAsBackup.rules.some((r) => STATIC_RULE.test(r)), 'static_* on the backup too');
    assert.ok(oursAsMaster.routes.includes('blackhole 203.0.113.0/26 table main scope global'), oursAsMaster.routes.join('\n'));
    assert.ok(oursAsMaster.routes.some((r) => r.startsWith('unicast 198.51.100.128/25 via 192.0.2.254 dev eth0 table 100 scope global')));
    assert.ok(oursAsMaster.routes.some((r) => r.startsWith('unicast 2001:db8:1::/48 via 2001:db8::fe dev eth0 table main scope global')));
    assert.ok(oursAsMaster.rules.some((r) => /^100:\s+from 192\.0\.2\.100 lookup 100 proto keepalived$/.test(r)), oursAsMaster.rules.join('\n'));
    assert.ok((await h1.addresses()).includes('192.0.2.51/24'), 'static_ipaddress on h1');
    const ourLog = ours.stdoutLines.concat(ours.stderrLines);
    const order = ['Entering MASTER STATE', 'setting VIPs.', 'setting Virtual Routes', 'setting Virtual Rules'].map((s) => ourLog.findIndex((l) => l.includes(`(VI_1) ${s}`)));
    assert.ok(order.every((i, k) => i >= 0 && (k === 0 || i > (order[k - 1] ?? 0))), `log order ${order.join(',')}:\n${logOf(ours)}`);

    // SIGTERM: we resign; every keepalived route and rule (virtual and static) leaves h1; keepalived takes over
    await stopGracefully(ours);
    assert.deepEqual(await keepalivedRoutes(h1), [], 'no keepalived route left on h1 after stop');
    assert.deepEqual(await keepalivedRules(h1), [], 'no keepalived rule left on h1 after stop');
    assert.equal((await h1.addresses()).includes('192.0.2.51/24'), false, 'static address removed at stop');
    await waitLog(theirs, /\(VI_1\) Entering MASTER STATE/, 3_000);
    const theirsAsMaster = await waitInstalled(h2, true);
    t.diagnostic(`keepalived 2.2.7 as MASTER:\n${[...theirsAsMaster.routes, ...theirsAsMaster.rules].join('\n')}`);
    assert.deepEqual(oursAsMaster.routes, theirsAsMaster.routes, 'the same routes as keepalived installs');
    assert.deepEqual(oursAsMaster.rules, theirsAsMaster.rules, 'the same rules as keepalived installs');

    // we come back (with -V this time) and preempt: routes move back to h1, keepalived removes its virtual ones
    ours = start('ts', 1, 150, 'h1b', ['-V']);
    await waitLog(ours, /\(VI_1\) Entering MASTER STATE/, ELECTION_MS);
    await waitLog(theirs, /\(VI_1\) Entering BACKUP STATE/, 3_000);
    const back = await waitInstalled(h1, true);
    assert.deepEqual(back.routes, oursAsMaster.routes);
    await waitInstalled(h2, false);

    // SIGHUP with the same config: no route or rule is touched (`ip monitor` sees nothing);
    // with one more virtual route: only that route is added
    const monitor = h1.spawn('ip', ['monitor', 'route', 'rule']);
    const events = (): string[] => monitor.stdoutLines.map((l) => l.trim()).filter((l) => l !== '');
    await new Promise((resolve) => setTimeout(resolve, 300));
    ours.signal('SIGHUP');
    await waitReloads(ours, 1);
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.deepEqual(events(), [], 'an unchanged reload touches no route or rule');
    const more = conf(1, 150);
    scratch.file('h1b.conf', confText({ ...more, extra: [...(more.extra ?? []).slice(0, 1), '  198.51.100.32/27 via 192.0.2.254 dev eth0', ...(more.extra ?? []).slice(1)] }));
    ours.signal('SIGHUP');
    await waitReloads(ours, 2);
    await waitFor('the added route', () => keepalivedRoutes(h1), (r) => r.length === VIRTUAL_ROUTES + 2, 3_000);
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.deepEqual(events(), ['198.51.100.32/27 via 192.0.2.254 dev eth0 proto keepalived'], 'a reload that adds a route adds only it');
    monitor.signal('SIGTERM');

    // route tracking: someone deletes our tracked route in table 100; we step down (priority 0)
    // and take over again after Skew_Time with everything back. A deleted static route is restored.
    const deletedAt = performance.now();
    await h1.ip(['route', 'del', '198.51.100.128/25', 'table', '100']);
    await waitLog(ours, /\(VI_1\) sent 0 priority/, 2_000);
    const masterLines = (): number => [...ours.stdoutLines, ...ours.stderrLines].filter((l) => /\(VI_1\) Entering MASTER STATE/.test(l)).length;
    await waitFor('MASTER again after stepping down', async () => masterLines(), (n) => n >= 2, ELECTION_MS);
    t.diagnostic(`tracked route deleted -> MASTER again after ${Math.round(performance.now() - deletedAt)} ms (Skew_Time at priority 150: 414 ms)`);
    await waitFor('routes back after stepping down', () => keepalivedRoutes(h1), (r) => r.length === VIRTUAL_ROUTES + 2, 3_000);
    await h1.ip(['route', 'del', '203.0.113.128/25']);
    await waitLog(ours, /Restoring deleted static route prepend 203\.0\.113\.128\/25 via inet 192\.0\.2\.254 dev eth0 proto 18/, 2_000);
    await waitFor('static route restored', () => keepalivedRoutes(h1), (r) => r.some((l) => STATIC_ROUTE.test(l)), 2_000);
    await h1.ip(['addr', 'del', '192.0.2.51/24', 'dev', 'eth0']);
    await waitLog(ours, /Restoring deleted static address 192\.0\.2\.51\/24 dev eth0 scope global set/, 2_000);
    await waitFor('static address restored', () => h1.addresses(), (a) => a.includes('192.0.2.51/24'), 2_000);

    // -V stop: no priority 0, the VIP and the virtual routes and rules stay; the static ones go
    const resigns = (): number => [...ours.stdoutLines, ...ours.stderrLines].filter((l) => l.includes('(VI_1) sent 0 priority')).length;
    const resignsBefore = resigns();
    await stopGracefully(ours);
    assert.equal(resigns(), resignsBefore, `no "sent 0 priority" at a -V stop:\n${logOf(ours)}`);
    assert.ok(await holdsVip(h1, VIP), 'the VIP stays with -V');
    const left = await keepalivedRoutes(h1);
    assert.equal(left.length, VIRTUAL_ROUTES + 1, `virtual routes stay with -V, the static one goes:\n${left.join('\n')}`);
    assert.ok(!left.some((l) => STATIC_ROUTE.test(l)));
    const leftRules = await keepalivedRules(h1);
    assert.equal(leftRules.length, VIRTUAL_RULES, leftRules.join('\n'));
    assert.equal((await h1.addresses()).includes('192.0.2.51/24'), false, 'static address removed at stop, also with -V');
    await stopGracefully(theirs);
  } finally {
    await lab.destroy();
    scratch.cleanup();
  }
});
