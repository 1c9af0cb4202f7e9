/**
 * Scenario: failover, preemption, split brain and loss on a simulated LAN. Times are µs on the
 * manual clock; the link delay is 100 µs. Names carry the RFC checklist IDs of
 * vrrp-rfc-and-peers.md §1.8.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultParams, type VrrpInstanceParams } from '../../../src/vrrp/params.js';
import { SimNetwork } from './sim-network.js';

const node = (last: number, priority: number, over: Partial<VrrpInstanceParams> = {}): VrrpInstanceParams =>
  defaultParams({ name: 'VI_1', vrid: 51, primaryAddress: `192.0.2.${last}`, vips: ['192.0.2.100'], priority, ...over });
const MDI_100 = 3_609_375; // Master_Down_Interval, v2, 1 s, priority 100
const MDI_150 = 3_414_062;
const DELAY = 100;

/** a (150) master since 3.414 s, b (100) and c (50) backups; a's adverts at 3.414 + k s. */
function elected(a: Partial<VrrpInstanceParams> = {}): SimNetwork {
  const sim = new SimNetwork().add('a', node(1, 150, a)).add('b', node(2, 100)).add('c', node(3, 50));
  for (const id of ['a', 'b', 'c']) sim.start(id);
  return sim.runUntil(10_000_000);
}

const lastAdvertAt = (sim: SimNetwork, id: string): number => sim.advertsFrom(id).at(-1)?.atUs ?? -1;

describe('scenario: failover', () => {
  it('MUST-25 MUST-19: after the master dies, the best backup takes over exactly Master_Down_Interval after the last advert', () => {
    const sim = elected();
    sim.crash('a');
    const last = lastAdvertAt(sim, 'a');
    sim.runUntil(20_000_000);
    assert.equal(last, 9_414_062);
    assert.equal(sim.lastEntered('b', 'MASTER'), last + DELAY + MDI_100);
    assert.equal(sim.lastEntered('c', 'MASTER'), undefined);
    assert.deepEqual(sim.vipHolders(), ['b']);
  });

  it('MUST-32 MUST-26: a graceful stop sends priority 0 and the backup takes over after Skew_Time only (609 ms)', () => {
    const sim = elected();
    sim.stop('a');
    sim.runUntil(20_000_000);
    assert.equal(sim.advertsFrom('a').at(-1)?.priority, 0);
    assert.equal(sim.counter('a', 'pri_zero_sent'), 1);
    assert.equal(sim.lastEntered('b', 'MASTER'), 10_000_000 + DELAY + 609_375);
    assert.equal(sim.stateOf('a'), 'STOP');
    assert.deepEqual(sim.vipHolders(), ['b']);
    assert.equal(sim.lastEntered('c', 'MASTER'), undefined);
  });

  it('MUST-26: FAULT on the master sends priority 0: the backup takes over at Skew_Time; clearing the fault preempts back', () => {
    const sim = elected();
    sim.event('a', { kind: 'fault', fault: 'eth0 down', raised: true });
    sim.runUntil(15_000_000);
    assert.equal(sim.stateOf('a'), 'FAULT');
    assert.equal(sim.lastEntered('b', 'MASTER'), 10_000_000 + DELAY + 609_375);
    sim.event('a', { kind: 'fault', fault: 'eth0 down', raised: false });
    sim.runUntil(25_000_000);
    assert.equal(sim.lastEntered('a', 'MASTER'), 15_000_000 + MDI_150);
    assert.deepEqual(sim.masters(), ['a']);
  });

  it('MUST-28 MUST-34: preemption: a better node that returns waits for its Master_Down timer (no immediate takeover), then wins', () => {
    const sim = elected();
    sim.crash('a');
    sim.at(20_000_000, () => sim.start('a')).runUntil(30_000_000);
    assert.equal(sim.lastEntered('a', 'MASTER'), 20_000_000 + MDI_150);
    assert.equal(sim.lastEntered('b', 'BACKUP'), 20_000_000 + MDI_150 + DELAY);
    assert.deepEqual(sim.masters(), ['a']);
    assert.deepEqual(sim.vipHolders(), ['a']);
  });

  it('MUST-27: nopreempt: a better node that returns accepts the lower-priority master and stays BACKUP', () => {
    const sim = elected({ preempt: false });
    sim.crash('a');
    sim.at(20_000_000, () => sim.start('a')).runUntil(60_000_000);
    assert.equal(sim.stateOf('a'), 'BACKUP');
    assert.deepEqual(sim.masters(), ['b']);
  });

  it('preempt_delay: a better node that returns tolerates the lower master for preempt_delay (10 s), then preempts', () => {
    const sim = elected({ preemptDelayMs: 10_000 });
    sim.crash('a');
    sim.at(20_000_000, () => sim.start('a'));
    sim.runUntil(30_000_000);
    assert.equal(sim.stateOf('a'), 'BACKUP');
    sim.runUntil(40_000_000);
    const tookOver = sim.lastEntered('a', 'MASTER') ?? 0;
    assert.ok(tookOver > 30_000_000 && tookOver <= 30_100_000 + MDI_150, `took over at ${tookOver}`);
    assert.deepEqual(sim.masters(), ['a']);
  });

  it('MUST-34 MUST-35: split brain while partitioned, healed by the next adverts: the lower master yields, the higher re-advertises', () => {
    const sim = elected();
    sim.partition(['a'], ['b', 'c']);
    sim.runUntil(20_000_000);
    assert.deepEqual(sim.masters(), ['a', 'b']);
    assert.deepEqual(sim.vipHolders(), ['a', 'b']);
    sim.heal();
    sim.runUntil(25_000_000);
    assert.deepEqual(sim.masters(), ['a']);
    assert.deepEqual(sim.vipHolders(), ['a']);
    const healedAt = sim.lastEntered('b', 'BACKUP') ?? 0;
    assert.ok(healedAt > 20_000_000 && healedAt <= 21_000_000 + DELAY);
    assert.ok(sim.garps('a').some((g) => g.cause === 'lower-prio'), 'the higher master sends lower-priority GARPs');
  });

  it('MUST-19 MUST-27: v3 interval learning: the backup adopts the master\'s 0.5 s, and as master reverts to its own 1 s', () => {
    const v3 = (last: number, priority: number, advertIntervalCs: number) => node(last, priority, { version: 3, advertIntervalCs });
    const sim = new SimNetwork().add('a', v3(1, 150, 50)).add('b', v3(2, 100, 100));
    sim.start('a');
    sim.start('b');
    sim.runUntil(10_000_000);
    assert.equal(sim.lastEntered('a', 'MASTER'), 1_500_000 + 207_031);
    assert.equal(sim.vrrpState('b').masterAdverIntervalCs, 50);
    sim.crash('a');
    const last = lastAdvertAt(sim, 'a');
    sim.runUntil(20_000_000);
    assert.equal(sim.lastEntered('b', 'MASTER'), last + DELAY + 1_500_000 + 304_687);
    assert.equal(sim.vrrpState('b').masterAdverIntervalCs, 100);
    const times = sim.advertsFrom('b').map((w) => w.atUs);
    assert.ok(times.length >= 3);
    assert.deepEqual(times.slice(1).map((t, i) => t - (times[i] ?? 0)), times.slice(1).map(() => 1_000_000));
  });

  it('MUST-19 MUST-35: losing two consecutive adverts causes no takeover; losing three does, and the master wins back at once by re-advertising', () => {
    const lossy = (fromUs: number, toUs: number): SimNetwork => {
      const sim = new SimNetwork().add('a', node(1, 150)).add('b', node(2, 100));
      sim.lose = (from, _to, atUs) => from === 'a' && atUs >= fromUs && atUs < toUs;
      sim.start('a');
      sim.start('b');
      return sim.runUntil(20_000_000);
    };
    const two = lossy(10_000_000, 11_500_000);
    assert.equal(two.lastEntered('b', 'MASTER'), undefined);
    const three = lossy(10_000_000, 12_500_000);
    assert.equal(three.lastEntered('b', 'MASTER'), 9_414_062 + DELAY + MDI_100);
    // b's first advert reaches a, which re-advertises at once (RFC 9568): b yields one round trip later
    assert.equal(three.lastEntered('b', 'BACKUP'), 9_414_062 + DELAY + MDI_100 + 2 * DELAY);
    assert.deepEqual(three.masters(), ['a']);
  });

  it('MUST-28 MUST-34: a tracker lowering the master below a backup: the backup discards its adverts and preempts after Master_Down', () => {
    const sim = elected();
    sim.event('a', { kind: 'priority', priority: 90 });
    sim.runUntil(20_000_000);
    assert.deepEqual(sim.masters(), ['b']);
    assert.equal(sim.lastEntered('b', 'MASTER'), 9_414_062 + DELAY + MDI_100);
    assert.equal(sim.stateOf('a'), 'BACKUP');
    assert.ok(sim.advertsFrom('a').some((w) => w.priority === 90));
  });

  it('MUST-33: a master that hears priority 0 (the other split-brain master resigning) re-advertises at once', () => {
    const sim = elected();
    sim.partition(['a'], ['b', 'c']);
    sim.at(20_000_000, () => {
      sim.heal();
      sim.stop('b');
    });
    sim.runUntil(20_500_000);
    assert.equal(sim.counter('a', 'pri_zero_rcvd'), 1);
    assert.ok(sim.advertsFrom('a').some((w) => w.atUs === 20_000_000 + DELAY && w.priority === 150));
    assert.deepEqual(sim.masters(), ['a']);
  });

  it('MUST-23 MUST-29: through crash, stop, fault, preemption and split brain, a node holds the VIPs exactly while MASTER', () => {
    const sim = elected();
    sim.partition(['a'], ['b', 'c']);
    sim.at(15_000_000, () => sim.heal());
    sim.at(20_000_000, () => sim.event('a', { kind: 'fault', fault: 'link', raised: true }));
    sim.at(25_000_000, () => sim.event('a', { kind: 'fault', fault: 'link', raised: false }));
    sim.at(35_000_000, () => sim.stop('a'));
    sim.at(40_000_000, () => sim.crash('b'));
    sim.runUntil(60_000_000);
    assert.deepEqual(sim.vipViolations, []);
    assert.deepEqual(sim.masters(), ['c']);
    assert.deepEqual(sim.vipHolders(), ['c']);
  });

  it('MUST-24: a backup that stops sends nothing; the master is undisturbed', () => {
    const sim = elected();
    const before = sim.wire.length;
    sim.stop('c');
    sim.runUntil(10_500_000);
    assert.equal(sim.wire.length, before + 1); // only a's next advert at 10.414 s
    assert.equal(sim.advertsFrom('c').length, 0);
    assert.deepEqual(sim.masters(), ['a']);
  });
});
