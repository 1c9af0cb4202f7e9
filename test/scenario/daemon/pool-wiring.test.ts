/**
 * The pool in the daemon, with fakes: plane selection logged, leftover cleanup before the first
 * apply, checker PoolEvents driving the plane, quorum scripts through the runner, LVS FIFO lines,
 * a reload that touches the plane only for a difference (and keeps a down server down), and stop
 * that empties the plane unless -I.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { PoolEvent as CheckerPoolEvent } from '../../../src/check/checker-subsystem-events.js';
import { loadConfig } from '../../../src/config/pipeline.js';
import type { ApplyResult, DataPlane, DataPlaneDescription } from '../../../src/lb/data-plane.js';
import { poolSize } from '../../../src/lb/data-plane.js';
import type { DesiredPool } from '../../../src/lb/pool-types.js';
import { PoolSubsystem, type PoolMailPort } from '../../../src/daemon/pool-wiring.js';
import { createSystemClock } from '../../../src/daemon/runtime.js';
import { SmtpMailer } from '../../../src/notify/smtp-client.js';
import { startSmtpSink } from '../../support/smtp-sink.js';
import type { LineWriter } from '../../../src/daemon/pool-wiring-notify.js';
import type { ConfigSnapshot } from '../../../src/daemon/subsystem.js';
import { fakeEnv } from '../../unit/config/fake-env.js';

const CONF_PATH = '/etc/keepalived/keepalived.conf';
const VS = '[192.0.2.100]:tcp:80';
const rsName = (n: number): string => `[192.0.2.${n}]:tcp:80`;

function conf(weights: readonly number[], globals = 'lvs_notify_fifo /run/lvs.fifo'): string {
  const rs = weights.map((w, i) => `  real_server 192.0.2.${i + 2} 80 {\n    weight ${w}\n    TCP_CHECK {\n      connect_timeout 1\n    }\n  }\n`).join('');
  return `global_defs {\n  ${globals}\n}\nvirtual_server 192.0.2.100 80 {\n  delay_loop 1\n  lb_algo wrr\n  lb_kind NAT\n  protocol TCP\n` +
    `  quorum 2\n  quorum_up "/bin/true up"\n  quorum_down "/bin/false down"\n  sorry_server 192.0.2.9 80\n${rs}}\n`;
}

function model(text: string): ConfigSnapshot {
  const r = loadConfig(CONF_PATH, fakeEnv({ ifs: ['eth0'], exec: ['/bin/true', '/bin/false'], files: { [CONF_PATH]: text } }));
  return r.model;
}

/** A stateful plane: what is installed now, and how often it was touched. */
class FakePlane implements DataPlane {
  readonly kind = 'nftables' as const;
  installed: DesiredPool | undefined = { services: [{ id: 'leftover', matches: [], scheduler: 'rr', schedulerFlags: [], forwarding: 'NAT', dests: [] }] };
  readonly calls: string[] = [];
  start(): Promise<ApplyResult> { return this.removeAll('start'); }
  apply(desired: DesiredPool): Promise<ApplyResult> {
    this.calls.push('apply');
    this.installed = desired;
    return Promise.resolve({ ok: true, changes: 1, warnings: [], durationMs: 0 });
  }
  removeAll(why = 'removeAll'): Promise<ApplyResult> {
    this.calls.push(why);
    this.installed = undefined;
    return Promise.resolve({ ok: true, changes: 1, warnings: [], durationMs: 0 });
  }
  describe(): DataPlaneDescription { return { kind: 'nftables', summary: 'fake nftables', ...poolSize(this.installed ?? { services: [] }) }; }
  dests(): string[] { return (this.installed?.services[0]?.dests ?? []).map((d) => `${d.address}=${d.weight}`); }
}

function harness(opts: { keepOnStop?: boolean; vrrpRunsGlobalFifoScript?: boolean; mail?: PoolMailPort } = {}) {
  const plane = new FakePlane();
  const mails: string[] = [];
  const lines: string[] = [];
  const fifoLines: string[] = [];
  const scripts: string[] = [];
  const runs: string[] = [];
  const log = { error: (m: string) => lines.push(m), warning: (m: string) => lines.push(m), notice: (m: string) => lines.push(m), info: (m: string) => lines.push(m), detail: () => undefined };
  const fifoScripts: string[] = [];
  const byPath = new Map<string, string[]>();
  const writer = (path: string): LineWriter => ({
    write: (l) => { fifoLines.push(l); byPath.set(path, [...(byPath.get(path) ?? []), l]); },
    close: () => { fifoScripts.push(`closed ${path}`); return Promise.resolve(); },
  });
  const pool = new PoolSubsystem({
    log,
    selectPlane: (choice) => Promise.resolve({ ok: true, plane, report: `lb data plane: ${choice} -> fake nftables (no IPVS: test)` }),
    notifyRunner: { run: (r) => { scripts.push(r.argv.join(' ')); runs.push(`${r.argv.join(' ')} as ${r.uid ?? 'daemon default'}`); return Promise.resolve({ kind: 'exited', exitCode: 0 }); } },
    fifos: { open: (path) => { fifoLines.push(`open ${path}`); return Promise.resolve(writer(path)); } },
    fifoScripts: { start: (argv, user) => { fifoScripts.push(`start ${argv.join(' ')} as ${user.uid}`); return { stop: () => void fifoScripts.push(`stop ${argv.join(' ')}`) }; } },
    vrrpRunsGlobalFifoScript: opts.vrrpRunsGlobalFifoScript ?? false,
    keepOnStop: opts.keepOnStop ?? false,
    mail: opts.mail ?? {
      host: { hostname: 'vm', user: 'root' },
      send: (settings, subject, body) => void mails.push(`${settings.server.host}:${settings.server.port} ${settings.from} | ${subject} | ${body}`),
      close: () => void mails.push('closed'),
    },
  });
  const event = (type: CheckerPoolEvent['type'], n: number, up: boolean, weight = 1): void => pool.apply({
    type, virtualServer: VS, realServer: rsName(n), endpoint: { family: 'inet', address: `192.0.2.${n}`, port: 80 },
    up, weight, inhibit: false, reason: 'test',
  });
  return { plane, lines, fifoLines, scripts, runs, pool, event, fifoScripts, byPath, mails };
}

const settle = async (h: ReturnType<typeof harness>): Promise<void> => {
  await h.pool.pool?.idle();
  await new Promise((r) => setImmediate(r));
};

describe('pool wiring (daemon) with fakes', () => {
  it('start: selection logged, leftover removed before the first apply, initial pool installed', async () => {
    const h = harness();
    await h.pool.start(model(conf([1, 1, 1])));
    assert.ok(h.lines.includes('lb data plane: auto -> fake nftables (no IPVS: test)'));
    assert.deepEqual(h.plane.calls, ['start', 'apply']);
    assert.deepEqual(h.plane.dests(), ['192.0.2.2=1', '192.0.2.3=1', '192.0.2.4=1']);
    assert.deepEqual(h.fifoLines, ['open /run/lvs.fifo']);
    assert.ok(h.lines.some((l) => l.startsWith('lb: fake nftables ready')));
  });

  it('checker events drive the plane, quorum scripts and FIFO lines', async () => {
    const h = harness();
    await h.pool.start(model(conf([1, 1, 1])));
    for (const n of [2, 3, 4]) h.event('initial', n, true);
    await settle(h);
    assert.deepEqual(h.plane.calls, ['start', 'apply'], 'initial events that change nothing do not touch the plane');
    h.event('down', 2, false);
    await settle(h);
    assert.deepEqual(h.plane.dests(), ['192.0.2.3=1', '192.0.2.4=1']);
    h.event('down', 3, false);
    await settle(h);
    assert.deepEqual(h.plane.dests(), ['192.0.2.9=1'], 'quorum lost: the sorry server replaces the pool');
    assert.deepEqual(h.scripts, ['/bin/false down']);
    assert.ok(h.lines.includes(`Lost quorum 2-0=2 > 1 for VS ${VS}`));
    assert.ok(h.lines.includes(`Adding sorry server [192.0.2.9]:tcp:80 to VS ${VS}`));
    h.event('up', 2, true);
    await settle(h);
    assert.deepEqual(h.plane.dests(), ['192.0.2.2=1', '192.0.2.4=1']);
    assert.deepEqual(h.scripts, ['/bin/false down', '/bin/true up']);
    assert.deepEqual(h.fifoLines.slice(1), [
      `RS ${rsName(2)} ${VS} DOWN`, `RS ${rsName(3)} ${VS} DOWN`, `VS ${VS} DOWN`, `RS ${rsName(2)} ${VS} UP`, `VS ${VS} UP`,
    ]);
    h.event('weight', 4, true, 5);
    await settle(h);
    assert.deepEqual(h.plane.dests(), ['192.0.2.2=1', '192.0.2.4=5']);
  });

  it('reload: an identical config does not touch the plane; a weight change applies once and a down server stays down', async () => {
    const h = harness();
    await h.pool.start(model(conf([1, 1, 1])));
    h.event('down', 4, false);
    await settle(h);
    const before = h.plane.calls.length;
    await h.pool.reload(model(conf([1, 1, 1])));
    assert.equal(h.plane.calls.length, before, 'unchanged pool: no apply');
    assert.ok(h.lines.includes('lb: reload: pool unchanged - data plane not touched'));
    await h.pool.reload(model(conf([3, 1, 1])));
    assert.equal(h.plane.calls.length, before + 1);
    assert.deepEqual(h.plane.dests(), ['192.0.2.2=3', '192.0.2.3=1']);
  });

  it('stop empties the plane; with -I it is left in place', async () => {
    const h = harness();
    await h.pool.start(model(conf([1, 1, 1])));
    await h.pool.shutdown();
    assert.equal(h.plane.installed, undefined);
    assert.equal(h.plane.calls.at(-1), 'removeAll');
    const k = harness({ keepOnStop: true });
    await k.pool.start(model(conf([1, 1, 1])));
    await k.pool.shutdown();
    assert.deepEqual(k.plane.dests(), ['192.0.2.2=1', '192.0.2.3=1', '192.0.2.4=1']);
    assert.ok(k.lines.some((l) => l.includes('in place (--dont-release-ipvs)')));
  });

  it('a rejected first apply does not stop the daemon: logged, retried on the next event', async () => {
    const h = harness();
    const apply = h.plane.apply.bind(h.plane);
    let reject = true;
    h.plane.apply = (d) => (reject ? Promise.resolve({ ok: false, code: 'NFT_APPLY_FAILED', error: 'rejected', warnings: [], durationMs: 0 }) : apply(d));
    await h.pool.start(model(conf([1, 1, 1])));
    await settle(h);
    assert.ok(h.lines.some((l) => l.startsWith('lb: rejected')), h.lines.join('\n'));
    reject = false;
    h.event('initial', 2, true);
    await settle(h);
    assert.deepEqual(h.plane.dests(), ['192.0.2.2=1', '192.0.2.3=1', '192.0.2.4=1']);
  });

  it('LVS lines go to notify_fifo and lvs_notify_fifo (keepalived writes both); the FIFO scripts get the FIFO name last', async () => {
    const globals = 'notify_fifo /run/all.fifo\n  notify_fifo_script /bin/true\n  lvs_notify_fifo /run/lvs.fifo\n  lvs_notify_fifo_script "/bin/true -x"';
    const h = harness();
    await h.pool.start(model(conf([1, 1, 1], globals)));
    assert.deepEqual(h.fifoScripts, ['start /bin/true /run/all.fifo as 0', 'start /bin/true -x /run/lvs.fifo as 0']);
    h.event('down', 2, false);
    h.event('down', 3, false);
    await settle(h);
    const expected = [`RS ${rsName(2)} ${VS} DOWN`, `RS ${rsName(3)} ${VS} DOWN`, `VS ${VS} DOWN`];
    assert.deepEqual(h.byPath.get('/run/all.fifo'), expected);
    assert.deepEqual(h.byPath.get('/run/lvs.fifo'), expected);
    await h.pool.reload(model(conf([1, 1, 1], 'lvs_notify_fifo /run/lvs2.fifo')));
    assert.deepEqual(h.fifoScripts.slice(2), ['stop /bin/true /run/all.fifo', 'closed /run/all.fifo', 'stop /bin/true -x /run/lvs.fifo', 'closed /run/lvs.fifo']);
    h.event('up', 2, true);
    await settle(h);
    assert.deepEqual(h.byPath.get('/run/lvs2.fifo'), [`RS ${rsName(2)} ${VS} UP`, `VS ${VS} UP`]);
    await h.pool.shutdown();
    assert.equal(h.fifoScripts.at(-1), 'closed /run/lvs2.fifo');
    const v = harness({ vrrpRunsGlobalFifoScript: true });
    await v.pool.start(model(conf([1, 1, 1], globals)));
    assert.deepEqual(v.fifoScripts, ['start /bin/true -x /run/lvs.fifo as 0'], 'the VRRP subsystem runs notify_fifo_script');
    await v.pool.shutdown();
  });

  it('quorum_down and lvs_notify_fifo_script run as the `user` written after the command (keepalived 2.2.7)', async () => {
    const globals = 'lvs_notify_fifo /run/lvs.fifo\n  lvs_notify_fifo_script "/bin/true -x" nobody';
    const h = harness();
    await h.pool.start(model(conf([1, 1, 1], globals).replace('quorum_down "/bin/false down"', 'quorum_down "/bin/false down" nobody')));
    assert.deepEqual(h.fifoScripts, ['start /bin/true -x /run/lvs.fifo as 65533']);
    for (const n of [2, 3]) h.event('down', n, false);
    await settle(h);
    h.event('up', 2, true);
    await settle(h);
    assert.deepEqual(h.runs, ['/bin/false down as 65533', '/bin/true up as daemon default']);
    await h.pool.shutdown();
  });

  it('a failed plane selection fails the start with its report', async () => {
    const h = harness();
    const pool = new PoolSubsystem({
      log: { error: () => undefined, warning: () => undefined, notice: () => undefined, info: () => undefined, detail: () => undefined },
      selectPlane: () => Promise.resolve({ ok: false, code: 'IPVS_UNAVAILABLE', report: 'lb data plane: ipvs failed: no IPVS' }),
      notifyRunner: { run: () => Promise.resolve({ kind: 'exited', exitCode: 0 }) },
      fifos: { open: () => Promise.reject(new Error('unused')) },
      keepOnStop: false,
    });
    await assert.rejects(pool.start(model(conf([1, 1], 'lb_data_plane ipvs'))), /ipvs failed: no IPVS/);
    assert.deepEqual(h.plane.calls, []);
  });

  it('smtp_alert_checker: a real server DOWN/UP and each quorum change send one mail each (keepalived\'s documented wording)', async () => {
    const h = harness();
    const mailGlobals = 'router_id lab\n  smtp_server 127.0.0.1 2525\n  notification_email {\n    ops@example.com\n  }\n  smtp_alert_checker';
    await h.pool.start(model(conf([1, 1, 1], mailGlobals)));
    for (const n of [2, 3, 4]) h.event('initial', n, true);
    await settle(h);
    assert.deepEqual(h.mails, [], 'the initial state mails nothing');
    h.event('down', 2, false);
    h.event('down', 3, false);
    await settle(h);
    h.event('up', 3, true);
    await settle(h);
    const to = '127.0.0.1:2525 root@vm';
    assert.deepEqual(h.mails, [
      `${to} | [lab] Realserver ${rsName(2)} of virtual server ${VS} - DOWN | => TCP CHECK failed on service <=`,
      `${to} | [lab] Realserver ${rsName(3)} of virtual server ${VS} - DOWN | => TCP CHECK failed on service <=`,
      `${to} | [lab] Virtualserver ${VS} - DOWN | => Lost quorum 2+0=2 <= 1 <=`,
      `${to} | [lab] Realserver ${rsName(3)} of virtual server ${VS} - UP | => TCP CHECK succeed on service <=`,
      `${to} | [lab] Virtualserver ${VS} - UP | => Gained quorum 2+0=2 <= 2 <=`,
    ]);
    await h.pool.shutdown();
    assert.equal(h.mails.at(-1), 'closed', 'mails in flight are aborted at stop');
  });

  it('smtp_alert: off by default, per virtual_server and real_server, and nothing without smtp_server', async () => {
    const base = 'router_id lab\n  smtp_server 127.0.0.1 2525\n  notification_email {\n    ops@example.com\n  }';
    const run = async (globals: string, text: (c: string) => string = (c) => c): Promise<string[]> => {
      const h = harness();
      await h.pool.start(model(text(conf([1, 1, 1], globals))));
      for (const n of [2, 3, 4]) h.event('initial', n, true);
      h.event('down', 2, false);
      h.event('down', 3, false);
      await settle(h);
      return h.mails.map((m) => m.split(' | ')[1] ?? m);
    };
    assert.deepEqual(await run(base), []);
    assert.deepEqual(await run('smtp_alert_checker\n  router_id lab'), [], 'no smtp_server: no mail');
    // smtp_alert (global) is the default of smtp_alert_checker; smtp_alert_checker off wins
    assert.equal((await run(`${base}\n  smtp_alert`)).length, 3);
    assert.deepEqual(await run(`${base}\n  smtp_alert\n  smtp_alert_checker off`), []);
    // the virtual server on: its quorum and its real servers; one real server off
    const vsOn = (c: string): string => c.replace('  quorum 2\n', '  quorum 2\n  smtp_alert\n').replace('real_server 192.0.2.2 80 {\n', 'real_server 192.0.2.2 80 {\n    smtp_alert off\n');
    assert.deepEqual(await run(base, vsOn), [`[lab] Realserver ${rsName(3)} of virtual server ${VS} - DOWN`, `[lab] Virtualserver ${VS} - DOWN`]);
    // only a real server on
    const rsOn = (c: string): string => c.replace('real_server 192.0.2.3 80 {\n', 'real_server 192.0.2.3 80 {\n    smtp_alert\n');
    assert.deepEqual(await run(base, rsOn), [`[lab] Realserver ${rsName(3)} of virtual server ${VS} - DOWN`]);
  });

  it('smtp_alert: a hanging SMTP server (loopback sink that never answers) delays neither the pool nor the next event', async () => {
    const sink = await startSmtpSink('127.0.0.1', 0, 'hang');
    const mailLog: string[] = [];
    const mailer = new SmtpMailer(createSystemClock(), { info: (m) => mailLog.push(m), error: (m) => mailLog.push(m) });
    const h = harness({ mail: { host: { hostname: 'vm', user: 'root' }, send: (st, subject, body) => mailer.send(st, subject, body), close: () => mailer.close() } });
    try {
      const globals = `router_id lab\n  smtp_server 127.0.0.1 ${sink.port}\n  smtp_connect_timeout 30\n  notification_email {\n    ops@example.com\n  }\n  smtp_alert_checker`;
      await h.pool.start(model(conf([1, 1, 1], globals)));
      for (const n of [2, 3, 4]) h.event('initial', n, true);
      h.event('down', 2, false);
      await settle(h);
      assert.deepEqual(h.plane.dests(), ['192.0.2.3=1', '192.0.2.4=1'], 'applied while the first mail waits for its 220');
      h.event('down', 3, false);
      await settle(h);
      assert.deepEqual(h.plane.dests(), ['192.0.2.9=1'], 'the next event (quorum lost) applied too');
      while (sink.connections() < 3) await new Promise((r) => setTimeout(r, 10));
      assert.equal(sink.sessions.length, 0, 'no mail finished: the server never answered');
      assert.ok(!mailLog.some((l) => l.includes('successfully sent')), mailLog.join('\n'));
      await h.pool.shutdown(); // aborts the three connections in flight
    } finally {
      mailer.close();
      await sink.close();
    }
  });
});
