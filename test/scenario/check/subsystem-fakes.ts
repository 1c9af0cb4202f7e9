/**
 * Fakes for checker-subsystem scenarios: keepalived.conf text -> model through the real config
 * pipeline, scripted probes the test flips per checker, a recording log and notify runner.
 */
import { loadConfig } from '../../../src/config/pipeline.js';
import type { LvsModel } from '../../../src/config/model/lvs.js';
import { CheckerSubsystem } from '../../../src/check/checker-subsystem.js';
import { RecordingPoolSink } from '../../../src/check/checker-subsystem-events.js';
import type { ProbeBuilder } from '../../../src/check/checker-subsystem-probes.js';
import type { NotifyRunner } from '../../../src/check/checker-subsystem-notify.js';
import type { ProbeResult } from '../../../src/check/probe.js';
import type { AddressChange, AddressPresencePort } from '../../../src/check/address-presence.js';
import { fakeEnv } from '../../unit/config/fake-env.js';
import { ManualClock, seededRng } from './manual-clock.js';

const CONF = '/etc/keepalived/keepalived.conf';

export function loadLvs(text: string): LvsModel {
  const model = loadConfig(CONF, fakeEnv({ exec: ['/usr/local/bin/up.sh', '/usr/local/bin/down.sh', '/usr/local/bin/check.sh'], files: { [CONF]: text } })).model;
  if (model.lvs === undefined) throw new Error('no lvs model');
  return model.lvs;
}

export const OK: ProbeResult = { ok: true };
export const REFUSED: ProbeResult = { ok: false, failure: 'connect-refused', reason: 'ECONNREFUSED' };

/** Per checker target+type: the result its next attempts return, and every attempt's time. */
export class ScriptedProbes {
  private readonly results = new Map<string, ProbeResult>();
  readonly attempts: { readonly key: string; readonly atMs: number }[] = [];
  readonly builds: string[] = [];

  constructor(private readonly clock: ManualClock) {}

  /** key: `TYPE TARGET`, e.g. `TCP_CHECK [192.0.2.10]:tcp:80`. */
  set(key: string, result: ProbeResult): void {
    this.results.set(key, result);
  }

  attemptsOf(key: string): number {
    return this.attempts.filter((a) => a.key === key).length;
  }

  readonly builder: ProbeBuilder = async (_server, plan) => {
    const key = `${plan.checker.type} ${plan.target}`;
    if (plan.checker.type === 'UDP_CHECK') throw new Error('UDP_CHECK refused by the test builder');
    this.builds.push(plan.id);
    return async () => {
      this.attempts.push({ key, atMs: this.clock.monotonicMs() });
      return this.results.get(key) ?? OK;
    };
  };
}

export class RecordingRunner implements NotifyRunner {
  readonly runs: string[] = [];
  async run(request: { readonly argv: readonly string[] }): Promise<{ readonly kind: string; readonly exitCode: number }> {
    this.runs.push(request.argv.join(' '));
    return { kind: 'exited', exitCode: 0 };
  }
}

export class RecordingLog {
  readonly lines: string[] = [];
  error(m: string): void { this.lines.push(`ERROR ${m}`); }
  warning(m: string): void { this.lines.push(`WARNING ${m}`); }
  info(m: string): void { this.lines.push(m); }
  detail(m: string): void { this.lines.push(`DETAIL ${m}`); }
  /** Lines logged since `from`, without the -D detail lines. */
  since(from: number): string[] {
    return this.lines.slice(from).filter((l) => !l.startsWith('DETAIL '));
  }
}

/** The host's addresses, set by the test: `add`/`remove` deliver events once opened. */
export class FakeAddressPresence implements AddressPresencePort {
  private readonly table = new Map<string, AddressChange>();
  private onChange: ((c: AddressChange) => void) | undefined;
  opens = 0;
  closes = 0;

  constructor(initial: readonly (readonly [string, number])[] = []) {
    for (const [address, interfaceIndex] of initial) this.table.set(`${interfaceIndex} ${address}`, { address, interfaceIndex, present: true });
  }

  async open(onChange: (c: AddressChange) => void): Promise<readonly AddressChange[]> {
    this.opens++;
    this.onChange = onChange;
    return [...this.table.values()];
  }

  close(): void {
    this.closes++;
    this.onChange = undefined;
  }

  add(address: string, interfaceIndex = 2): void {
    const c = { address, interfaceIndex, present: true };
    this.table.set(`${interfaceIndex} ${address}`, c);
    this.onChange?.(c);
  }

  remove(address: string, interfaceIndex = 2): void {
    this.table.delete(`${interfaceIndex} ${address}`);
    this.onChange?.({ address, interfaceIndex, present: false });
  }
}

export function harness(options: { readonly addresses?: AddressPresencePort } = {}) {
  const clock = new ManualClock();
  const probes = new ScriptedProbes(clock);
  const runner = new RecordingRunner();
  const log = new RecordingLog();
  const sink = new RecordingPoolSink();
  const subsystem = new CheckerSubsystem({
    clock,
    rng: seededRng(3),
    log,
    sink,
    buildProbe: probes.builder,
    notifyRunner: runner,
    spread: { jitterFraction: 0, maxInitialSpreadMs: 0 },
    ...(options.addresses !== undefined ? { addresses: options.addresses } : {}),
  });
  return { clock, probes, runner, log, sink, subsystem };
}
