import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Daemon, type DaemonSettings } from '../../../src/daemon/daemon.js';
import { SinkLogger, MemorySink } from '../../../src/daemon/logger.js';
import { FakeSignals } from '../../../src/daemon/runtime.js';
import { SubsystemRegistry } from '../../../src/daemon/subsystem.js';
import { ConfigErrorClass } from '../../../src/config/diagnostics.js';
import { ManualClock, FakePidfileHost, QueueLoader, MemoryDumpWriter, RecordingSubsystem, config, settle, FATAL_DIAG } from './fakes.js';

const SETTINGS: DaemonSettings = {
  pid: 4242,
  versionString: 'v2.2.7 (keepalived-ts test)',
  configFile: '/etc/keepalived/keepalived.conf',
  pidfiles: ['/run/keepalived.pid'],
  tmpDir: '/tmp',
  shutdownDeadlineMs: 5000,
  dumpConf: false,
  startupNotes: ["Command line: 'keepalived-ts' '-n'"],
  ignoreSigint: false,
};

function setup(subsystems: RecordingSubsystem[] = [], settings: Partial<DaemonSettings> = {}) {
  const clock = new ManualClock();
  const sink = new MemorySink();
  const logger = new SinkLogger([sink], clock, false);
  const signals = new FakeSignals();
  const pidfileHost = new FakePidfileHost();
  const loader = new QueueLoader();
  const dumpWriter = new MemoryDumpWriter();
  const registry = new SubsystemRegistry();
  for (const s of subsystems) registry.register(s);
  const daemon = new Daemon({ clock, logger, signals, pidfileHost, loader, dumpWriter, subsystems: registry }, { ...SETTINGS, ...settings });
  return { clock, sink, signals, pidfileHost, loader, dumpWriter, daemon };
}

const MODEL_A = { global: { routerId: 'a' } } as never;
const MODEL_B = { global: { routerId: 'b' } } as never;

test('starts, logs keepalived lines, holds the pidfile, stops on SIGTERM', async () => {
  const vrrp = new RecordingSubsystem('vrrp');
  const t = setup([vrrp]);
  t.loader.queue.push(config(MODEL_A));
  let ready = false;
  const exit = t.daemon.run(() => (ready = true));
  await settle();
  assert.equal(ready, true);
  assert.equal(t.daemon.state, 'running');
  assert.equal(t.pidfileHost.files.get('/run/keepalived.pid'), '4242\n');
  assert.deepEqual(vrrp.events, ['start']);
  t.signals.raise('SIGTERM');
  assert.equal(await exit, 0);
  assert.deepEqual(vrrp.events, ['start', 'shutdown(5000)']);
  assert.equal(t.pidfileHost.files.size, 0);
  assert.deepEqual(t.sink.messages(), [
    'Starting Keepalived v2.2.7 (keepalived-ts test)',
    "Command line: 'keepalived-ts' '-n'",
    'Configuration file /etc/keepalived/keepalived.conf',
    'NOTICE: setting config option max_auto_priority should result in better keepalived performance',
    'Stopping',
    'Stopped Keepalived v2.2.7 (keepalived-ts test)',
  ]);
  assert.equal(t.signals.listenerCount('SIGHUP'), 0);
});

test('with no subsystems it warns there is nothing to run, and still stops cleanly on SIGINT', async () => {
  const t = setup();
  t.loader.queue.push(config({}));
  const exit = t.daemon.run();
  await settle();
  assert.ok(t.sink.messages().includes('Warning - keepalived has no configuration to run'));
  t.signals.raise('SIGINT');
  assert.equal(await exit, 0);
});

test('the max_auto_priority NOTICE: at startup unless it is set non-zero, never at reload (keepalived 2.2.7)', async () => {
  const NOTICE = 'NOTICE: setting config option max_auto_priority should result in better keepalived performance';
  const withMax = (args: string[]): never => ({ global: { routerId: 'a', raw: new Map([['max_auto_priority', args]]) } }) as never;
  for (const [args, printed] of [[['20'], false], [[], false], [['-1'], false], [['0'], true]] as const) {
    const t = setup([new RecordingSubsystem('vrrp')]);
    t.loader.queue.push(config(withMax([...args])), config(MODEL_B));
    const exit = t.daemon.run();
    await settle();
    t.signals.raise('SIGHUP');
    await settle();
    t.signals.raise('SIGTERM');
    assert.equal(await exit, 0);
    const msgs = t.sink.messages();
    assert.equal(msgs.filter((m) => m === NOTICE).length, printed ? 1 : 0, `max_auto_priority ${args.join(' ')}`);
    if (printed) assert.equal(msgs.indexOf(NOTICE), msgs.indexOf('Configuration file /etc/keepalived/keepalived.conf') + 1, 'right after the config file line');
  }
});

test('missing config file: exit 6 (not configured), pidfile removed', async () => {
  const t = setup();
  t.loader.queue.push(config({}, [], true));
  assert.equal(await t.daemon.run(), 6);
  assert.ok(t.sink.messages().includes("Config files missing '/etc/keepalived/keepalived.conf'."));
  assert.equal(t.pidfileHost.files.size, 0);
});

test('config that cannot run at start: exit 2', async () => {
  const t = setup();
  t.loader.queue.push(config({}, [FATAL_DIAG]));
  assert.equal(await t.daemon.run(), 2);
  assert.ok(t.sink.messages().some((m) => m.includes("interface eth9 for vrrp_instance VI_1 doesn't exist")));
});

test('another live daemon holds the pidfile: "daemon is already running", exit 0, its file untouched', async () => {
  const t = setup();
  t.pidfileHost.files.set('/run/keepalived.pid', '77\n');
  t.pidfileHost.alive.add(77);
  assert.equal(await t.daemon.run(), 0);
  assert.ok(t.sink.messages().includes('daemon is already running'));
  assert.equal(t.pidfileHost.files.get('/run/keepalived.pid'), '77\n');
  assert.equal(t.loader.loads, 0);
});

test('SIGHUP reload applies a good config; a bad one is reported and the old one stays', async () => {
  const vrrp = new RecordingSubsystem('vrrp');
  const t = setup([vrrp]);
  t.loader.queue.push(config(MODEL_A), config(MODEL_B), config({}, [FATAL_DIAG]), config({}, [], true));
  const exit = t.daemon.run();
  await settle();
  t.signals.raise('SIGHUP');
  await settle();
  assert.equal(t.daemon.currentModel, MODEL_B);
  assert.deepEqual(vrrp.events, ['start', 'reload']);
  t.signals.raise('SIGHUP');
  await settle();
  assert.equal(t.daemon.currentModel, MODEL_B, 'fatal config rejected');
  t.signals.raise('SIGHUP');
  await settle();
  assert.equal(t.daemon.currentModel, MODEL_B, 'missing config rejected');
  assert.deepEqual(vrrp.events, ['start', 'reload']);
  const aborted = t.sink.messages().filter((m) => m.startsWith('Reload aborted, keeping the running configuration'));
  assert.equal(aborted.length, 2);
  assert.equal(t.sink.messages().filter((m) => m === 'Reloading ...').length, 3);
  t.signals.raise('SIGTERM');
  assert.equal(await exit, 0);
});

test('errors that are not fatal do not block a reload (keepalived runs them too)', async () => {
  const t = setup();
  const warn = { cls: ConfigErrorClass.UnknownKeyword, message: "Unknown keyword 'foo'", span: { file: 'k.conf', line: 2 } };
  t.loader.queue.push(config(MODEL_A), config(MODEL_B, [warn]));
  const exit = t.daemon.run();
  await settle();
  t.signals.raise('SIGHUP');
  await settle();
  assert.equal(t.daemon.currentModel, MODEL_B);
  assert.ok(t.sink.messages().includes("(k.conf: Line 2) Unknown keyword 'foo'"));
  t.signals.raise('SIGTERM');
  await exit;
});

test('reloads queue: SIGHUPs during a reload coalesce into one more', async () => {
  const vrrp = new RecordingSubsystem('vrrp');
  const t = setup([vrrp]);
  t.loader.queue.push(config(MODEL_A), config(MODEL_B), config(MODEL_A));
  const exit = t.daemon.run();
  await settle();
  let open!: () => void;
  t.loader.gate = new Promise((r) => (open = r));
  t.signals.raise('SIGHUP');
  t.signals.raise('SIGHUP');
  t.signals.raise('SIGHUP');
  await settle();
  assert.equal(t.loader.loads, 2, 'one reload running');
  t.loader.gate = undefined;
  open();
  await settle();
  assert.equal(t.loader.loads, 3, 'exactly one queued reload followed');
  assert.deepEqual(vrrp.events, ['start', 'reload', 'reload']);
  assert.equal(t.daemon.currentModel, MODEL_A);
  t.signals.raise('SIGTERM');
  await exit;
});

test('shutdown deadline: a hanging subsystem is abandoned, the others still stop', async () => {
  const a = new RecordingSubsystem('vrrp');
  const b = new RecordingSubsystem('checker');
  b.shutdownBehaviour = 'hang';
  const c = new RecordingSubsystem('bfd');
  c.shutdownBehaviour = 'reject';
  const t = setup([a, b, c], { shutdownDeadlineMs: 3000 });
  t.loader.queue.push(config(MODEL_A));
  const exit = t.daemon.run();
  await settle();
  t.signals.raise('SIGTERM');
  await settle();
  assert.equal(t.daemon.state, 'stopping');
  t.clock.advance(3000);
  assert.equal(await exit, 0);
  assert.deepEqual([c.events.at(-1), b.events.at(-1), a.events.at(-1)], ['shutdown(3000)', 'shutdown(3000)', 'shutdown(0)']);
  const msgs = t.sink.messages();
  assert.ok(msgs.includes('bfd: shutdown failed: boom'));
  assert.ok(msgs.includes('checker: shutdown did not finish within 3000 ms - abandoned'));
  assert.equal(t.clock.pendingTimers, 0);
});

test('SIGUSR1 / SIGUSR2 write keepalived.data / keepalived.stats with every subsystem', async () => {
  const t = setup([new RecordingSubsystem('vrrp')], { tmpDir: '/var/tmp' });
  t.loader.queue.push(config(MODEL_A));
  const exit = t.daemon.run();
  await settle();
  t.signals.raise('SIGUSR1');
  t.signals.raise('SIGUSR2');
  await settle();
  assert.match(t.dumpWriter.files.get('/var/tmp/keepalived.data') ?? '', /vrrp data: all good/);
  assert.match(t.dumpWriter.files.get('/var/tmp/keepalived.stats') ?? '', /vrrp stats: all good/);
  assert.ok(t.sink.messages().includes('Printing VRRP data for process(4242) on signal'));
  t.signals.raise('SIGTERM');
  await exit;
});

test('--ignore-sigint keeps running on SIGINT', async () => {
  const t = setup([], { ignoreSigint: true });
  t.loader.queue.push(config(MODEL_A));
  const exit = t.daemon.run();
  await settle();
  t.signals.raise('SIGINT');
  await settle();
  assert.equal(t.daemon.state, 'running');
  t.signals.raise('SIGTERM');
  assert.equal(await exit, 0);
});

test('a pidfile we may not write: exit 4 (missing permission)', async () => {
  const t = setup();
  t.pidfileHost.createExclusive = () => {
    throw Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' });
  };
  assert.equal(await t.daemon.run(), 4);
  assert.ok(t.sink.messages().some((m) => m.startsWith('Unable to create pidfile /run/keepalived.pid')));
});

test('-D adds keepalived\'s detail lines ("Opening file ...")', async () => {
  const t = setup();
  const detailed = new SinkLogger([t.sink], t.clock, true);
  const d = new Daemon({ clock: t.clock, logger: detailed, signals: t.signals, pidfileHost: t.pidfileHost, loader: t.loader, dumpWriter: t.dumpWriter, subsystems: new SubsystemRegistry() }, SETTINGS);
  t.loader.queue.push(config(MODEL_A));
  const exit = d.run();
  await settle();
  assert.ok(t.sink.messages().includes("Opening file 'k.conf'."));
  t.signals.raise('SIGTERM');
  await exit;
  const plain = setup();
  plain.loader.queue.push(config(MODEL_A));
  const exit2 = plain.daemon.run();
  await settle();
  assert.ok(!plain.sink.messages().some((m) => m.startsWith('Opening file')));
  plain.signals.raise('SIGTERM');
  await exit2;
});

test('SIGTERM while starting: the daemon finishes starting, then stops cleanly', async () => {
  const vrrp = new RecordingSubsystem('vrrp');
  const t = setup([vrrp]);
  let open!: () => void;
  t.loader.gate = new Promise((r) => (open = r));
  t.loader.queue.push(config(MODEL_A));
  const exit = t.daemon.run();
  await settle();
  assert.equal(t.daemon.state, 'starting');
  t.signals.raise('SIGTERM');
  t.signals.raise('SIGHUP');
  open();
  assert.equal(await exit, 0);
  assert.deepEqual(vrrp.events, ['start', 'shutdown(5000)']);
  assert.equal(t.loader.loads, 1, 'no reload while starting');
  assert.equal(t.pidfileHost.files.size, 0);
});
