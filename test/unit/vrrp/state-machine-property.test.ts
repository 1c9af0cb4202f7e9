/**
 * Property tests of the state machine: any sequence of events (adverts of any priority, timers
 * fired on time, early or stale, faults, priority changes, shutdown) never throws and keeps the
 * invariants the driver relies on.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { defaultParams } from '../../../src/vrrp/params.js';
import { initialVrrpState, step } from '../../../src/vrrp/state-machine.js';
import type { VrrpEvent, VrrpState, VrrpTimer } from '../../../src/vrrp/state-machine-types.js';

const TIMERS: readonly VrrpTimer[] = ['startup-delay', 'master-down', 'advert', 'preempt-delay', 'garp-master-delay', 'garp-refresh', 'garp-lower-prio'];

const eventArb: fc.Arbitrary<VrrpEvent> = fc.oneof(
  fc.constant<VrrpEvent>({ kind: 'startup' }),
  fc.record({
    kind: fc.constant('advert' as const),
    advert: fc.record({
      priority: fc.integer({ min: 0, max: 255 }),
      source: fc.constantFrom('192.0.2.1', '192.0.2.2', '192.0.2.9'),
      advertIntervalCs: fc.integer({ min: 1, max: 4095 }),
    }),
  }),
  fc.record({ kind: fc.constant('timer' as const), timer: fc.constantFrom(...TIMERS) }),
  fc.record({ kind: fc.constant('fault' as const), fault: fc.constantFrom('eth0', 'script'), raised: fc.boolean() }),
  fc.record({ kind: fc.constant('priority' as const), priority: fc.integer({ min: -10, max: 300 }) }),
  fc.constant<VrrpEvent>({ kind: 'shutdown' }),
);

const paramsArb = fc.record({
  version: fc.constantFrom(2 as const, 3 as const),
  priority: fc.integer({ min: 1, max: 255 }),
  initialState: fc.constantFrom('MASTER' as const, 'BACKUP' as const),
  preempt: fc.boolean(),
  preemptDelayMs: fc.constantFrom(0, 2000),
  startupDelayMs: fc.constantFrom(0, 1000),
  lowerPrioNoAdvert: fc.boolean(),
});

function checkInvariants(state: VrrpState, vipsOn: boolean): void {
  const t = state.timers;
  if (state.name === 'MASTER') assert.ok(t.advert !== undefined, 'MASTER keeps Adver_Timer armed');
  if (state.name === 'BACKUP') assert.ok(t['master-down'] !== undefined, 'BACKUP keeps Master_Down_Timer armed');
  if (state.name !== 'MASTER') assert.equal(t.advert, undefined, 'only MASTER has Adver_Timer');
  if (state.name !== 'BACKUP') assert.equal(t['master-down'], undefined, 'only BACKUP has Master_Down_Timer');
  assert.equal(vipsOn, state.name === 'MASTER', 'VIPs are installed exactly while MASTER');
  assert.ok(state.effectivePriority >= 1 && state.effectivePriority <= 255);
}

describe('state machine properties', () => {
  it('never throws, and every state keeps its timers and VIPs consistent (MUST-23, MUST-29, MUST-31)', () => {
    fc.assert(
      fc.property(paramsArb, fc.array(fc.tuple(eventArb, fc.integer({ min: 0, max: 5_000_000 })), { maxLength: 60 }), (over, events) => {
        const params = defaultParams({ name: 'VI_1', vrid: 1, primaryAddress: '192.0.2.2', vips: ['192.0.2.100'], ...over });
        let state = initialVrrpState(params);
        let nowUs = 0;
        let vipsOn = false;
        for (const [event, gapUs] of events) {
          nowUs += gapUs;
          // half of the timer events are delivered exactly at their deadline (the realistic case)
          const due = event.kind === 'timer' ? state.timers[event.timer] : undefined;
          const at = due !== undefined && gapUs % 2 === 0 ? Math.max(due, nowUs) : nowUs;
          nowUs = at;
          const wasMaster = state.name === 'MASTER';
          const result = step(state, event, at);
          for (const action of result.actions) {
            if (action.kind === 'add-vips') vipsOn = true;
            if (action.kind === 'remove-vips') vipsOn = false;
            if (action.kind === 'send-advert' && action.priority === 0) assert.ok(wasMaster, 'priority 0 only when leaving MASTER');
            if (action.kind === 'arm-timer') assert.ok(action.delayUs >= 0 && Number.isInteger(action.delayUs));
          }
          state = result.state;
          checkInvariants(state, vipsOn);
        }
      }),
      { numRuns: 1500 },
    );
  });

  it('step is pure: the same state and event give the same result, and the input state is not modified', () => {
    fc.assert(
      fc.property(fc.array(eventArb, { maxLength: 30 }), (events) => {
        const params = defaultParams({ name: 'VI_1', vrid: 1, primaryAddress: '192.0.2.2', vips: ['192.0.2.100'] });
        let state = initialVrrpState(params);
        events.forEach((event, i) => {
          const snapshot = JSON.stringify(state);
          const first = step(state, event, i * 1_000_000);
          const second = step(state, event, i * 1_000_000);
          assert.equal(JSON.stringify(state), snapshot);
          assert.deepEqual(second, first);
          state = first.state;
        });
      }),
      { numRuns: 500 },
    );
  });
});
