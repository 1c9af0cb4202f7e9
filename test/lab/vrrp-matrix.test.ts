/**
 * The interop matrix cells that vrrp-interop/vrrp-faults/vrrp-frr leave open: v3 IPv4 in both
 * checksum forms, unicast peers and nopreempt with keepalived 2.2.7 as the peer in the direction
 * not covered elsewhere, FRR 8.4 vrrpd as MASTER with keepalived-ts as BACKUP, and a client (third
 * lab host) that pings the VIP throughout one scenario per family. Every SIGTERM handover is a
 * priority-0 handover: the backup must hold the VIP within Skew_Time + margin, well inside
 * Master_Down_Interval (bounds computed from the config, advert_int 1 s). Each scenario has its own
 * lab, torn down also on failure.
 * The message-only (RFC 9568, `v3_checksum_as_v2`) cells are in vrrp-checksum.test.ts: keepalived
 * 2.2.7 does not know that keyword and FRR 8.4 vrrpd has no such option, so they pair
 * keepalived-ts with itself and with a pseudo-header keepalived 2.2.7.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Lab, type LabHost, type LabProcess } from '../support/lab/index.js';
import { holdsVip, Scratch, startDaemon, stopGracefully, waitLog, waitVip, type Flavour, type InstanceConf } from './vrrp-support.js';
import { addFrrMacvlan, frrIsMaster, masterDownMs, startFrr, v2SkewMs, v3SkewMs, VipClient, waitFrrMaster } from './vrrp-matrix-support.js';

const VIP4 = '192.0.2.100';
const VIP6 = '2001:db8::100';
const BETTER = 150;
const WORSE = 100;
/** Our allowance on top of Skew_Time: SIGTERM handling, one hop, VIP install, 50 ms polling. */
const MARGIN_MS = 1_000;
const MASTER_LINE = /\(VI_1\) Entering MASTER STATE/;
const BACKUP_LINE = /\(VI_1\) Entering BACKUP STATE/;
const INIT_LINE = /\(VI_1\) Entering BACKUP STATE \(init\)/;

type Conf = Omit<InstanceConf, 'priority'>;

interface Bed {
  lab: Lab;
  scratch: Scratch;
  h1: LabHost;
  h2: LabHost;
  h3: LabHost;
}

async function withLab(body: (bed: Bed) => Promise<void>): Promise<void> {
  const lab = await Lab.create({ hosts: 3 });
  const scratch = new Scratch();
  try {
    await body({ lab, scratch, h1: lab.host(1), h2: lab.host(2), h3: lab.host(3) });
  } finally {
    await lab.destroy();
    scratch.cleanup();
  }
}

function logOf(proc: LabProcess): string[] {
  return proc.stdoutLines.concat(proc.stderrLines);
}

function skewMs(conf: Conf, priority: number): number {
  return conf.version === 3 ? v3SkewMs(priority, conf.advertInt ?? 1) : v2SkewMs(priority);
}

/** SIGTERM `from` (holding the VIP on `fromHost`); `to` must hold it within Skew_Time + margin. */
async function priorityZeroHandover(from: LabProcess, fromHost: LabHost, toHost: LabHost, conf: Conf, toPriority: number, vip: string): Promise<number> {
  const skew = skewMs(conf, toPriority);
  const bound = skew + MARGIN_MS;
  const masterDown = masterDownMs(skew, conf.advertInt ?? 1);
  assert.ok(bound < masterDown, `the bound ${bound} ms tells a priority-0 handover from Master_Down ${masterDown} ms`);
  const stopAt = performance.now();
  // polled while the old master stops (keepalived takes about a second to exit after its adverts)
  const taken = waitVip(toHost, vip, true, masterDown + MARGIN_MS).then(() => Math.round(performance.now() - stopAt));
  taken.catch(() => undefined);
  await stopGracefully(from);
  assert.equal(await holdsVip(fromHost, vip), false, 'the stopped master removed its VIP');
  const tookMs = await taken;
  assert.ok(tookMs <= bound, `priority-0 handover took ${tookMs} ms, bound Skew_Time ${skew} + ${MARGIN_MS} ms (Master_Down ${masterDown} ms)`);
  return tookMs;
}

interface Scenario {
  readonly better: Flavour;
  readonly worse: Flavour;
  readonly conf: (host: 1 | 2) => Conf;
  readonly vip: string;
  /** The better node has nopreempt: on its return it stays BACKUP. */
  readonly nopreempt?: boolean;
  /** A client on h3 pings the VIP from election to the end. */
  readonly client?: boolean;
  readonly onElected?: (bed: Bed) => Promise<void>;
}

/**
 * The better node (h1) wins, the worse (h2) stays BACKUP; SIGTERM hands over (priority 0); the
 * better node returns and preempts back, or with nopreempt stays BACKUP until the worse one is
 * stopped in turn (a second priority-0 handover, the other way round).
 */
async function scenario(s: Scenario, report: (line: string) => void): Promise<void> {
  await withLab(async (bed) => {
    const { scratch, h1, h2, h3 } = bed;
    const conf1 = { ...s.conf(1), priority: BETTER, extra: [...(s.conf(1).extra ?? []), ...(s.nopreempt === true ? ['nopreempt'] : [])] };
    const conf2 = { ...s.conf(2), priority: WORSE };
    // the better node first: Node starts slower than keepalived (see vrrp-interop.test.ts)
    let better = startDaemon(s.better, h1, scratch, conf1, 'h1');
    await waitLog(better, INIT_LINE, 5_000);
    const worse = startDaemon(s.worse, h2, scratch, conf2, 'h2');
    await waitLog(better, MASTER_LINE, 6_000);
    await waitVip(h1, s.vip, true, 2_000);
    await waitLog(worse, BACKUP_LINE, 3_000);
    await s.onElected?.(bed);
    const client = s.client === true ? await VipClient.start(h3, s.vip) : undefined;
    try {
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      assert.equal(await holdsVip(h2, s.vip), false, 'the backup stays backup while adverts flow');
      assert.equal(logOf(worse).some((l) => MASTER_LINE.test(l)), false, `the backup never became master:\n${logOf(worse).join('\n')}`);

      const handoverMs = await priorityZeroHandover(better, h1, h2, conf2, WORSE, s.vip);
      report(`${s.worse} held the VIP ${handoverMs} ms after SIGTERM to ${s.better}`);

      better = startDaemon(s.better, h1, scratch, conf1, 'h1b');
      await waitLog(better, INIT_LINE, 5_000);
      if (s.nopreempt === true) {
        const masterDown = masterDownMs(skewMs(conf1, BETTER), conf1.advertInt ?? 1);
        await new Promise((resolve) => setTimeout(resolve, masterDown + 1_000));
        assert.equal(logOf(better).some((l) => MASTER_LINE.test(l)), false, `nopreempt: ${s.better} stayed BACKUP:\n${logOf(better).join('\n')}`);
        assert.equal(await holdsVip(h1, s.vip), false, 'nopreempt: the returning better node does not take the VIP');
        assert.equal(await holdsVip(h2, s.vip), true, 'nopreempt: the lower-priority master keeps the VIP');
        const backMs = await priorityZeroHandover(worse, h2, h1, conf1, BETTER, s.vip);
        report(`nopreempt: ${s.better} stayed BACKUP, took the VIP ${backMs} ms after SIGTERM to ${s.worse}`);
      } else {
        await waitLog(better, MASTER_LINE, 6_000);
        await waitVip(h1, s.vip, true, 2_000);
        await waitVip(h2, s.vip, false, 2_000);
        report(`${s.better} preempted back`);
      }
      if (client !== undefined) {
        await new Promise((resolve) => setTimeout(resolve, 500));
        await client.stop();
        const gap = client.gap();
        const bound = skewMs(conf2, WORSE) + MARGIN_MS;
        report(`client on h3: ${gap.replies} replies from ${s.vip}, longest gap ${gap.longestMs} ms (ending ${gap.endsAtMs} ms in), bound ${bound} ms`);
        assert.ok(gap.longestMs <= bound, `the client lost ${s.vip} for ${gap.longestMs} ms (bound Skew_Time + ${MARGIN_MS} ms = ${bound} ms)`);
      }
    } finally {
      if (client !== undefined) await client.stop().catch(() => undefined);
    }
    await stopGracefully(better);
    if (worse.running) await stopGracefully(worse);
  });
}

const v3v4: Conf = { version: 3, vips: [`${VIP4}/24`] };
const v3v6: Conf = { version: 3, vips: ['fe80::100/64', `${VIP6}/64`] };
const unicast = (h: 1 | 2): Conf => ({ vips: [`${VIP4}/24`], unicastSrc: `192.0.2.${h}`, unicastPeers: [`192.0.2.${3 - h}`] });

test('v3 IPv4 pseudo-header checksum: keepalived master, keepalived-ts backup; priority-0 handover; preemption; client reaches the VIP throughout', { timeout: 45_000 }, async (t) => {
  await scenario({ better: 'keepalived', worse: 'ts', conf: () => v3v4, vip: VIP4, client: true }, (l) => t.diagnostic(l));
});

test('v2 unicast peers: keepalived master, keepalived-ts backup; priority-0 handover; preemption', { timeout: 45_000 }, async (t) => {
  await scenario({ better: 'keepalived', worse: 'ts', conf: unicast, vip: VIP4 }, (l) => t.diagnostic(l));
});

test('v2 AH: keepalived master, keepalived-ts backup; priority-0 handover; preemption', { timeout: 45_000 }, async (t) => {
  await scenario({ better: 'keepalived', worse: 'ts', conf: () => ({ vips: [`${VIP4}/24`], authType: 'AH', authPass: 'ah-pw' }), vip: VIP4 }, (l) => t.diagnostic(l));
});

test('nopreempt: keepalived-ts (150, nopreempt) returns and stays BACKUP under keepalived (100); takes over on its priority 0', { timeout: 45_000 }, async (t) => {
  await scenario({ better: 'ts', worse: 'keepalived', conf: () => v3v4, vip: VIP4, nopreempt: true }, (l) => t.diagnostic(l));
});

test('nopreempt: keepalived (150, nopreempt) returns and stays BACKUP under keepalived-ts (100); takes over on its priority 0', { timeout: 45_000 }, async (t) => {
  await scenario({ better: 'keepalived', worse: 'ts', conf: () => v3v4, vip: VIP4, nopreempt: true }, (l) => t.diagnostic(l));
});

test('v3 IPv6: keepalived-ts master, keepalived backup; priority-0 handover; preemption; client reaches the VIP throughout', { timeout: 45_000 }, async (t) => {
  await scenario({ better: 'ts', worse: 'keepalived', conf: () => v3v6, vip: VIP6, client: true }, (l) => t.diagnostic(l));
});

test('FRR vrrpd v3 IPv4 as MASTER (150), keepalived-ts BACKUP (100): we accept its adverts; vrrpd stop hands over; vrrpd preempts back', { timeout: 45_000 }, async (t) => {
  await withLab(async ({ scratch, h1, h2 }) => {
    await addFrrMacvlan(h1, `${VIP4}/24`);
    const frr = startFrr(h1, scratch, BETTER, 1_000, VIP4);
    await new Promise((resolve) => setTimeout(resolve, 500));
    let vrrpd = frr.vrrpd('a');
    await waitFrrMaster(h1, false, 5_000);
    await waitFrrMaster(h1, true, 6_000);
    const ours = startDaemon('ts', h2, scratch, { ...v3v4, priority: WORSE }, 'h2');
    await waitLog(ours, INIT_LINE, 5_000);
    const masterDown = masterDownMs(v3SkewMs(WORSE, 1), 1);
    await new Promise((resolve) => setTimeout(resolve, masterDown + 1_000));
    assert.equal(logOf(ours).some((l) => MASTER_LINE.test(l)), false, `we stayed BACKUP under vrrpd:\n${logOf(ours).join('\n')}`);
    assert.equal(await holdsVip(h2, VIP4), false);
    assert.equal(await frrIsMaster(h1), true, 'vrrpd stays MASTER');

    const tookMs = await priorityZeroHandover(vrrpd, h1, h2, v3v4, WORSE, VIP4).catch(async (e: Error) => {
      throw new Error(`${e.message}\n--- vrrpd ---\n${logOf(vrrpd).slice(-20).join('\n')}`);
    });
    t.diagnostic(`keepalived-ts held the VIP ${tookMs} ms after SIGTERM to vrrpd`);

    vrrpd = frr.vrrpd('b');
    await waitFrrMaster(h1, true, 6_000 + masterDown);
    await waitVip(h2, VIP4, false, 3_000);
    await waitLog(ours, /\(VI_1\) Entering BACKUP STATE$/, 1_000);
    t.diagnostic('vrrpd preempted back');
    await stopGracefully(vrrpd);
    await stopGracefully(ours);
  });
});

test('FRR vrrpd v3 IPv4 as BACKUP (100): keepalived-ts MASTER (150) loses its cable -> vrrpd takes over within Master_Down; cable back -> we preempt', { timeout: 45_000 }, async (t) => {
  await withLab(async ({ scratch, h1, h2 }) => {
    await addFrrMacvlan(h2, `${VIP4}/24`);
    const ours = startDaemon('ts', h1, scratch, { ...v3v4, priority: BETTER }, 'h1');
    await waitLog(ours, INIT_LINE, 5_000);
    const frr = startFrr(h2, scratch, WORSE, 1_000, VIP4);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const vrrpd = frr.vrrpd('a');
    await waitLog(ours, MASTER_LINE, 6_000);
    await waitVip(h1, VIP4, true, 2_000);
    await waitFrrMaster(h2, false, 5_000);
    const masterDown = masterDownMs(v3SkewMs(WORSE, 1), 1);
    const cutAt = performance.now();
    await h1.cableDown();
    await waitFrrMaster(h2, true, masterDown + MARGIN_MS);
    const tookMs = Math.round(performance.now() - cutAt);
    // no priority 0 can leave a cut cable: no takeover before Master_Down after our last advert
    assert.ok(tookMs >= masterDown - 1_000, `vrrpd took over ${tookMs} ms after the cut, before Master_Down ${masterDown} ms - one interval`);
    t.diagnostic(`vrrpd became MASTER ${tookMs} ms after our cable was pulled (Master_Down ${masterDown} ms)`);
    await waitLog(ours, /\(VI_1\) Entering FAULT STATE/, 3_000);
    await waitVip(h1, VIP4, false, 2_000);
    await h1.cableUp();
    await waitVip(h1, VIP4, true, masterDown + 3_000);
    await waitFrrMaster(h2, false, 3_000);
    t.diagnostic('keepalived-ts preempted back after the cable returned');
    await stopGracefully(ours);
    await stopGracefully(vrrpd);
  });
});
