/** Shared helpers of the pool scenarios: keepalived.conf text -> LVS model -> pool state. */
import assert from 'node:assert/strict';
import { severityOf } from '../../../src/config/diagnostics.js';
import { loadConfig } from '../../../src/config/pipeline.js';
import type { LvsModel } from '../../../src/config/model/lvs.js';
import { initialPoolState, type PoolState } from '../../../src/lb/pool-state.js';
import { reducePool } from '../../../src/lb/pool-reducer.js';
import { desiredPool } from '../../../src/lb/pool-desired.js';
import type { DesiredService, PoolEffect, PoolEvent } from '../../../src/lb/pool-types.js';
import { fakeEnv } from '../../unit/config/fake-env.js';

const CONF = '/etc/keepalived/keepalived.conf';

export function lvsModel(text: string): LvsModel {
  const r = loadConfig(CONF, fakeEnv({ ifs: ['eth0'], exec: ['/bin/true', '/bin/false'], files: { [CONF]: text } }));
  const errors = r.diagnostics.list.filter((d) => { const sev = severityOf(d.cls); return sev === 'error' || sev === 'fatal'; });
  assert.deepEqual(errors.map((d) => d.message), [], 'the scenario config is valid');
  assert.ok(r.model.lvs, 'the config has an LVS model');
  return r.model.lvs;
}

/** A driver over the pure reducer: feeds events, collects effects, renders services. */
export class PoolHarness {
  state: PoolState;
  readonly effects: PoolEffect[] = [];
  constructor(text: string) {
    this.state = initialPoolState(lvsModel(text));
  }
  send(...events: PoolEvent[]): PoolEffect[] {
    const out: PoolEffect[] = [];
    for (const e of events) {
      const step = reducePool(this.state, e);
      this.state = step.state;
      out.push(...step.effects);
    }
    this.effects.push(...out);
    return out;
  }
  service(id: string): DesiredService {
    const s = desiredPool(this.state).services.find((x) => x.id === id);
    assert.ok(s, `service ${id} is in the desired pool`);
    return s;
  }
  /** `address:port=weight` of each destination, sorted. */
  weights(id: string): string[] {
    return this.service(id).dests.map((d) => `${d.address}:${d.port}=${d.weight}`).sort();
  }
}
