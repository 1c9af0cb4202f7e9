/**
 * The pure state machine, event by event (RFC 5798/9568 §6.4 and keepalived-behaviour §5.2-5.3).
 * Names carry the RFC checklist IDs of vrrp-rfc-and-peers.md §1.8.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultParams, type VrrpInstanceParams } from '../../../src/vrrp/params.js';
import { initialVrrpState, step } from '../../../src/vrrp/state-machine.js';
import type { VrrpAction, VrrpEvent, VrrpState } from '../../../src/vrrp/state-machine-types.js';

const P = defaultParams({ name: 'VI_1', vrid: 51, primaryAddress: '192.0.2.1', vips: ['192.0.2.100'] });

/** Runs events at the given times; returns the final state and the actions of the last event. */
function run(params: VrrpInstanceParams, events: readonly (readonly [VrrpEvent, number])[]): { state: VrrpState; actions: readonly VrrpAction[] } {
  let state = initialVrrpState(params);
  let actions: readonly VrrpAction[] = [];
  for (const [event, now] of events) ({ state, actions } = step(state, event, now));
  return { state, actions };
}

const startup: VrrpEvent = { kind: 'startup' };
const timer = (t: 'master-down' | 'advert' | 'preempt-delay' | 'garp-master-delay' | 'garp-lower-prio' | 'startup-delay'): VrrpEvent => ({ kind: 'timer', timer: t });
const advert = (priority: number, source = '192.0.2.2', advertIntervalCs = 100): VrrpEvent => ({ kind: 'advert', advert: { priority, source, advertIntervalCs } });
const kinds = (actions: readonly VrrpAction[]): string[] =>
  actions.filter((a) => a.kind !== 'count' && a.kind !== 'log').map((a) => (a.kind === 'arm-timer' || a.kind === 'cancel-timer' ? `${a.kind}:${a.timer}` : a.kind === 'send-advert' ? `send-advert:${a.priority}` : a.kind));
const armed = (actions: readonly VrrpAction[], t: string): number | undefined => {
  const found = actions.find((a) => a.kind === 'arm-timer' && a.timer === t);
  return found?.kind === 'arm-timer' ? found.delayUs : undefined;
};
const messages = (actions: readonly VrrpAction[]): string[] =>
  actions.flatMap((a) => ((a.kind === 'transition' || a.kind === 'log') && a.message !== undefined ? [a.message] : []));

describe('state machine: startup', () => {
  it('MUST-22: a non-owner enters BACKUP (init) and arms Master_Down_Timer = 3 x interval + skew', () => {
    const { state, actions } = run(P, [[startup, 0]]);
    assert.equal(state.name, 'BACKUP');
    assert.equal(state.masterAdverIntervalCs, 100);
    assert.equal(armed(actions, 'master-down'), 3_609_375);
    assert.deepEqual(messages(actions), ['(VI_1) Entering BACKUP STATE (init)']);
    assert.equal(kinds(actions)[0], 'remove-vips', 'stale VIPs of a previous run are removed first (keepalived: "removing VIPs.")');
  });

  it('keepalived: state MASTER without priority 255 still starts in BACKUP and takes over after Master_Down', () => {
    const params = { ...P, priority: 150, initialState: 'MASTER' as const };
    const { state, actions } = run(params, [[startup, 0]]);
    assert.equal(state.name, 'BACKUP');
    assert.equal(armed(actions, 'master-down'), 3_414_062);
  });

  it('MUST-21: the owner (255, state MASTER) sends an advert, adds VIPs, sends GARPs, arms Adver_Timer, -> MASTER', () => {
    const { state, actions } = run({ ...P, priority: 255, initialState: 'MASTER' }, [[startup, 0]]);
    assert.equal(state.name, 'MASTER');
    assert.deepEqual(kinds(actions), ['remove-vips', 'send-advert:255', 'transition', 'add-vips', 'send-garp', 'arm-timer:garp-master-delay', 'arm-timer:advert']);
    assert.equal(armed(actions, 'advert'), 1_000_000);
    assert.deepEqual(messages(actions), ['(VI_1) Entering MASTER STATE']);
  });

  it('vrrp_startup_delay: nothing happens (adverts ignored) until the delay expires', () => {
    const params = { ...P, startupDelayMs: 2000 };
    const waiting = run(params, [[startup, 0], [advert(200), 1000]]);
    assert.equal(waiting.state.name, 'INIT');
    assert.deepEqual(waiting.actions, []);
    const early = run(params, [[startup, 0], [timer('startup-delay'), 1_999_999]]);
    assert.equal(early.state.name, 'INIT');
    const started = run(params, [[startup, 0], [timer('startup-delay'), 2_000_000]]);
    assert.equal(started.state.name, 'BACKUP');
  });

  it('startup with a fault present enters FAULT', () => {
    const { state } = run(P, [[{ kind: 'fault', fault: 'eth0', raised: true }, 0], [startup, 0]]);
    assert.equal(state.name, 'FAULT');
  });
});

describe('state machine: BACKUP', () => {
  it('MUST-25: Master_Down_Timer expiry: advert, VIPs, GARP, Adver_Timer, -> MASTER', () => {
    const { state, actions } = run(P, [[startup, 0], [timer('master-down'), 3_609_375]]);
    assert.equal(state.name, 'MASTER');
    assert.deepEqual(kinds(actions), ['send-advert:100', 'transition', 'add-vips', 'send-garp', 'arm-timer:garp-master-delay', 'arm-timer:advert']);
    assert.deepEqual(messages(actions), ['(VI_1) Receive advertisement timeout', '(VI_1) Entering MASTER STATE']);
  });

  it('MUST-26: priority 0 received -> Master_Down_Timer = Skew_Time', () => {
    const { state, actions } = run(P, [[startup, 0], [advert(0), 100]]);
    assert.equal(state.name, 'BACKUP');
    assert.equal(armed(actions, 'master-down'), 609_375);
    assert.ok(actions.some((a) => a.kind === 'count' && a.counter === 'pri_zero_rcvd'));
  });

  it('MUST-27: an advert with priority >= ours resets Master_Down_Timer; v3 learns the interval', () => {
    const v3 = { ...P, version: 3 as const };
    const { state, actions } = run(v3, [[startup, 0], [advert(100, '192.0.2.2', 50), 100]]);
    assert.equal(state.masterAdverIntervalCs, 50);
    assert.equal(armed(actions, 'master-down'), 3 * 500_000 + 304_687);
    const v2 = run(P, [[startup, 0], [advert(150, '192.0.2.2', 100), 100]]);
    assert.equal(armed(v2.actions, 'master-down'), 3_609_375);
  });

  it('MUST-27: with preemption off (nopreempt) a lower-priority master is accepted', () => {
    const { actions } = run({ ...P, preempt: false }, [[startup, 0], [advert(50), 100]]);
    assert.equal(armed(actions, 'master-down'), 3_609_375);
  });

  it('MUST-28: a lower-priority advert with preemption on is discarded (no immediate takeover)', () => {
    const { state, actions } = run(P, [[startup, 0], [advert(50), 100]]);
    assert.equal(state.name, 'BACKUP');
    assert.equal(state.timers['master-down'], 3_609_375);
    assert.deepEqual(messages(actions), ['(VI_1) received lower priority (50) advert from 192.0.2.2 - discarding']);
  });

  it('preempt_delay: lower adverts are tolerated until the delay expires, then discarded', () => {
    const params = { ...P, preemptDelayMs: 10_000 };
    const first = run(params, [[startup, 0], [advert(50), 1_000_000]]);
    assert.equal(armed(first.actions, 'preempt-delay'), 10_000_000);
    assert.equal(armed(first.actions, 'master-down'), 3_609_375);
    const later = run(params, [[startup, 0], [advert(50), 1_000_000], [timer('preempt-delay'), 11_000_000], [advert(50), 11_500_000]]);
    assert.equal(armed(later.actions, 'master-down'), undefined);
    assert.equal(later.state.preemptDelay, 'expired');
  });

  it('MUST-24: shutdown in BACKUP cancels Master_Down_Timer and sends nothing', () => {
    const { state, actions } = run(P, [[startup, 0], [{ kind: 'shutdown' }, 10]]);
    assert.equal(state.name, 'STOP');
    assert.deepEqual(kinds(actions), ['cancel-timer:master-down', 'transition']);
  });

  it('a stale timer (cancelled or re-armed) is ignored', () => {
    const { state, actions } = run(P, [[startup, 0], [advert(150), 1_000_000], [timer('master-down'), 3_609_375]]);
    assert.equal(state.name, 'BACKUP');
    assert.deepEqual(actions, []);
  });
});

describe('state machine: MASTER', () => {
  const master: readonly (readonly [VrrpEvent, number])[] = [[startup, 0], [timer('master-down'), 3_609_375]];

  it('MUST-31: Adver_Timer expiry sends an advert and re-arms', () => {
    const { actions } = run(P, [...master, [timer('advert'), 4_609_375]]);
    assert.deepEqual(kinds(actions), ['send-advert:100', 'arm-timer:advert']);
  });

  it('MUST-32: shutdown cancels Adver_Timer, sends priority 0, removes VIPs', () => {
    const { state, actions } = run(P, [...master, [{ kind: 'shutdown' }, 4_000_000]]);
    assert.equal(state.name, 'STOP');
    assert.deepEqual(kinds(actions), ['cancel-timer:advert', 'cancel-timer:garp-master-delay', 'send-advert:0', 'remove-vips', 'transition']);
    assert.deepEqual(messages(actions), ['(VI_1) sent 0 priority'], 'keepalived 2.2.7 logs this, and no "Entering STOP STATE"');
  });

  it('MUST-33: priority 0 received -> send an advert and reset Adver_Timer', () => {
    const { state, actions } = run(P, [...master, [advert(0), 4_000_000]]);
    assert.equal(state.name, 'MASTER');
    assert.deepEqual(kinds(actions), ['send-advert:100', 'arm-timer:advert']);
  });

  it('MUST-34: higher priority -> cancel Adver_Timer, learn interval (v3), arm Master_Down_Timer, -> BACKUP', () => {
    const v3 = { ...P, version: 3 as const };
    const { state, actions } = run(v3, [...master, [advert(200, '192.0.2.2', 200), 4_000_000]]);
    assert.equal(state.name, 'BACKUP');
    assert.equal(state.masterAdverIntervalCs, 200);
    assert.deepEqual(kinds(actions), ['cancel-timer:advert', 'cancel-timer:garp-master-delay', 'remove-vips', 'arm-timer:master-down', 'transition']);
    assert.equal(armed(actions, 'master-down'), 6_000_000 + 1_218_750);
    assert.deepEqual(messages(actions), ['(VI_1) Master received advert from 192.0.2.2 with higher priority 200, ours 100', '(VI_1) Entering BACKUP STATE']);
  });

  it('MUST-34: equal priority, higher source address wins; lower source address loses', () => {
    assert.equal(run(P, [...master, [advert(100, '192.0.2.2'), 4_000_000]]).state.name, 'BACKUP');
    const lower = { ...P, primaryAddress: '192.0.2.3' };
    assert.equal(run(lower, [...master, [advert(100, '192.0.2.2'), 4_000_000]]).state.name, 'MASTER');
  });

  it('MUST-35: lower priority -> stay MASTER, re-advertise (RFC 9568), GARP now and later, notify', () => {
    const { state, actions } = run(P, [...master, [advert(50), 4_000_000]]);
    assert.equal(state.name, 'MASTER');
    assert.deepEqual(kinds(actions), ['send-advert:100', 'send-garp', 'arm-timer:garp-lower-prio', 'notify-event']);
    assert.deepEqual(messages(actions), ['(VI_1) Received advert from 192.0.2.2 with lower priority 50, ours 100, forcing new election']);
  });

  it('MUST-35: lower_prio_no_advert keeps the pre-9568 behaviour (no advert); higher_prio_send_advert sends one before yielding', () => {
    const quiet = run({ ...P, lowerPrioNoAdvert: true, garp: { ...P.garp, lowerPrioRepeat: 0 } }, [...master, [advert(50), 4_000_000]]);
    assert.deepEqual(kinds(quiet.actions), ['notify-event']);
    const polite = run({ ...P, higherPrioSendAdvert: true }, [...master, [advert(200), 4_000_000]]);
    assert.equal(kinds(polite.actions)[0], 'send-advert:100');
  });

  it('GARP schedule: second burst after garp_master_delay, refresh every garp_master_refresh', () => {
    const params = { ...P, garp: { ...P.garp, masterRefreshMs: 60_000, masterRefreshRepeat: 2 } };
    const became = run(params, master);
    assert.equal(armed(became.actions, 'garp-master-delay'), 5_000_000);
    assert.equal(armed(became.actions, 'garp-refresh'), 60_000_000);
    const second = run(params, [...master, [timer('garp-master-delay'), 8_609_375]]);
    assert.deepEqual(second.actions, [{ kind: 'send-garp', count: 5, cause: 'master-delay' }]);
    const refresh = run(params, [...master, [{ kind: 'timer', timer: 'garp-refresh' }, 63_609_375]]);
    assert.deepEqual(kinds(refresh.actions), ['send-garp', 'arm-timer:garp-refresh']);
  });

  it('FAULT from MASTER sends priority 0 and removes VIPs; clearing the fault returns to BACKUP', () => {
    const faulted = run(P, [...master, [{ kind: 'fault', fault: 'eth0', raised: true }, 4_000_000]]);
    assert.equal(faulted.state.name, 'FAULT');
    assert.ok(kinds(faulted.actions).includes('send-advert:0'));
    assert.deepEqual(messages(faulted.actions), ['(VI_1) Entering FAULT STATE']);
    const cleared = run(P, [...master, [{ kind: 'fault', fault: 'eth0', raised: true }, 4_000_000], [{ kind: 'fault', fault: 'eth0', raised: false }, 5_000_000]]);
    assert.equal(cleared.state.name, 'BACKUP');
    assert.deepEqual(messages(cleared.actions), ['(VI_1) Entering BACKUP STATE']);
  });

  it('priority changes apply to the next advert, clamped to 1..254 for a non-owner', () => {
    const { state, actions } = run(P, [...master, [{ kind: 'priority', priority: 300 }, 4_000_000], [timer('advert'), 4_609_375]]);
    assert.equal(state.effectivePriority, 254);
    assert.deepEqual(kinds(actions), ['send-advert:254', 'arm-timer:advert']);
  });
});

describe('purity', () => {
  it('step() never changes the state it is given (each state frozen, timers and faults too)', () => {
    const freeze = (s: VrrpState): VrrpState => Object.freeze({ ...s, timers: Object.freeze({ ...s.timers }), faults: Object.freeze([...s.faults]) });
    const events: (readonly [VrrpEvent, number])[] = [
      [startup, 0], [advert(150), 10_000], [advert(150), 1_010_000], [timer('master-down'), 5_000_000], [timer('advert'), 6_000_000],
      [advert(50), 6_100_000], [advert(0), 6_200_000], [advert(200), 6_300_000], [{ kind: 'fault', fault: 'x', raised: true }, 6_400_000],
      [{ kind: 'fault', fault: 'x', raised: false }, 6_500_000], [{ kind: 'priority', priority: 120 }, 6_600_000], [timer('master-down'), 10_000_000],
      [{ kind: 'resign' }, 10_100_000], [{ kind: 'shutdown' }, 10_200_000],
    ];
    let state = freeze(initialVrrpState(P));
    for (const [event, now] of events) {
      const before = JSON.stringify(state);
      const next = step(state, event, now).state; // a write to a frozen object throws (strict mode)
      assert.equal(JSON.stringify(state), before);
      state = freeze(next);
    }
    assert.equal(state.name, 'STOP');
  });
});
