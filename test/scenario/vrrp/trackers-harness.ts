/**
 * keepalived.conf text -> loadConfig -> adaptInstance -> InstanceDriver + TrackerSet on fakes:
 * one node of a tracker scenario, with its own fake process runner.
 */
import assert from 'node:assert/strict';
import { loadConfig } from '../../../src/config/pipeline.js';
import { adaptInstance } from '../../../src/vrrp/config-adapter.js';
import { InstanceDriver } from '../../../src/vrrp/driver.js';
import { bindingRefs, TrackerSet } from '../../../src/vrrp/trackers.js';
import { fakeEnv } from '../../unit/config/fake-env.js';
import { fakeNode, settle, type FakeLan, type FakeNode, type ManualClock } from './driver-fakes.js';
import { FakeProcessRunner, FakeProcessTable, FakeTrackFiles } from './trackers-fakes.js';
import type { NotifyCommand } from '../../../src/vrrp/driver-notify.js';
import { VrrpNotifier } from '../../../src/vrrp/notifier.js';
import { SyncGroupCoordinator } from '../../../src/vrrp/sync-group.js';

const CONF = '/etc/keepalived/keepalived.conf';
export const SCRIPTS = ['/usr/bin/chk_nginx', '/usr/bin/chk_db', '/usr/bin/chk_hang', '/usr/bin/notify_all', '/usr/bin/to_master'];

export interface TrackerNode extends FakeNode {
  readonly drivers: InstanceDriver[];
  readonly trackers: TrackerSet;
  readonly runner: FakeProcessRunner;
  readonly files: FakeTrackFiles;
  /** What the notify FIFO received, in order. */
  readonly fifo: string[];
  /** Notify scripts started, in order. */
  readonly notified: NotifyCommand[];
  readonly groups: Map<string, SyncGroupCoordinator>;
  readonly notifier: VrrpNotifier;
  driver(name?: string): InstanceDriver;
}

/** Builds (does not start) node `name` from config text; `primary` is its eth0 IPv4 address. */
export function trackerNode(name: string, lan: FakeLan, clock: ManualClock, conf: string, primary: string, files = new FakeTrackFiles(), processes = new FakeProcessTable()): TrackerNode {
  const model = loadConfig(CONF, fakeEnv({ ifs: ['eth0', 'eth1'], exec: SCRIPTS, files: { [CONF]: conf } })).model;
  assert.ok(model.vrrp && model.global);
  const global = model.global;
  const node = fakeNode(name, lan, clock);
  const runner = new FakeProcessRunner(clock);
  const trackers = new TrackerSet(model.vrrp, { runner, clock, log: node.ports.log, files, processes });
  const drivers = model.vrrp.instances.map((i) => {
    const group = model.vrrp?.syncGroups.find((g) => g.members.includes(i.name));
    const binding = adaptInstance(i, global, (ifname) => (ifname === 'eth0' ? primary : undefined), group);
    return new InstanceDriver(binding, node.ports);
  });
  const driver = (n = 'VI_1'): InstanceDriver => {
    const d = drivers.find((x) => x.name === n);
    assert.ok(d, `instance ${n}`);
    return d;
  };
  const fifo: string[] = [];
  const notified: NotifyCommand[] = [];
  const notifier = new VrrpNotifier({ run: (c) => void notified.push(c) }, () => [{ write: (line) => void fifo.push(line) }]);
  const groups = new Map<string, SyncGroupCoordinator>();
  for (const g of model.vrrp.syncGroups) {
    const group = new SyncGroupCoordinator(g.name);
    notifier.observeGroup(group, g.notify);
    for (const m of g.members) groups.set(m, group);
  }
  return { ...node, drivers, trackers, runner, files, fifo, notified, groups, notifier, driver };
}

/** As the daemon does it: files read, trackers attached, drivers started, scripts started. */
export async function startNode(node: TrackerNode): Promise<void> {
  await node.trackers.prime();
  for (const d of node.drivers) {
    node.trackers.attach(d, bindingRefs(d.binding));
    node.notifier.observeInstance(d);
    node.groups.get(d.name)?.add(d);
  }
  for (const d of node.drivers) d.start();
  node.trackers.start();
}

/** Advances the clock in steps, letting script results (promises) land between steps. */
export async function runFor(clock: ManualClock, ms: number, stepMs = 100): Promise<void> {
  for (let t = 0; t < ms; t += stepMs) {
    clock.advanceMs(Math.min(stepMs, ms - t));
    await settle();
  }
}

export function instanceConf(opts: { priority: number; trackScript?: string; advertInt?: string; extra?: string }): string {
  return `
vrrp_instance VI_1 {
  state BACKUP
  interface eth0
  virtual_router_id 51
  priority ${opts.priority}
  advert_int ${opts.advertInt ?? '1'}
  virtual_ipaddress {
    192.0.2.100/24
  }
${opts.trackScript === undefined ? '' : `  track_script {\n    ${opts.trackScript}\n  }`}
${opts.extra ?? ''}
}
`;
}
