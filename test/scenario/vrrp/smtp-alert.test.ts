/**
 * smtp_alert never delays VRRP: a driver on the manual clock with its alerts going to a real
 * loopback SMTP server that accepts and never answers (and to a port nobody listens on). The
 * transitions happen on the protocol's schedule, at once; each mail gives up after
 * smtp_connect_timeout on the same clock, with keepalived's log line. A working sink gets the mails.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import type { CheckClock } from '../../../src/check/clock.js';
import type { InstanceBinding } from '../../../src/vrrp/config-adapter.js';
import { InstanceDriver } from '../../../src/vrrp/driver.js';
import { defaultParams } from '../../../src/vrrp/params.js';
import { SmtpMailer } from '../../../src/notify/smtp-client.js';
import { VrrpSmtpAlerts } from '../../../src/vrrp/smtp-alerts.js';
import { startSmtpSink } from '../../support/smtp-sink.js';
import { FakeLan, fakeNode, ManualClock, settle } from './driver-fakes.js';

const TIMEOUT_S = 5;

function binding(): InstanceBinding {
  const params = defaultParams({ name: 'VI_1', vrid: 51, vips: ['192.0.2.100'], primaryAddress: '192.0.2.1', priority: 100 });
  return { params, interfaceName: 'eth0', vips: [{ address: '192.0.2.100', prefixLength: 24, interfaceName: 'eth0' }], unicastTtl: 255, trackInterface: true, unsupported: [] };
}

function checkClock(clock: ManualClock): CheckClock {
  return {
    monotonicMs: () => clock.nowUs() / 1000,
    setTimer: (cb, ms) => clock.setTimer(cb, ms * 1000),
    clearTimer: (h) => clock.clearTimer(h),
  };
}

async function until(what: string, cond: () => boolean, ms = 5_000): Promise<void> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > ms) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

function wire(port: number): { clock: ManualClock; driver: InstanceDriver; logs: string[]; mailer: SmtpMailer } {
  const clock = new ManualClock();
  const n = fakeNode('a', new FakeLan(clock), clock);
  const logs: string[] = [];
  const mailer = new SmtpMailer(checkClock(clock), { info: (m) => logs.push(m), error: (m) => logs.push(`error: ${m}`) }, () => new Date(2026, 10, 25, 17, 0, 0));
  const settings = { server: { host: '127.0.0.1', port }, heloName: 'lab', from: 'kad@example.com', to: ['ops@example.com'], timeoutMs: TIMEOUT_S * 1000 };
  const alerts = new VrrpSmtpAlerts({ send: (a) => mailer.send(settings, a.subject, a.body) }, { routerId: 'lab', noEmailFaults: false, instanceEnabled: () => true, groupEnabled: () => true });
  const driver = new InstanceDriver(binding(), n.ports);
  alerts.observeInstance(driver);
  return { clock, driver, logs, mailer };
}

test('a hanging SMTP server delays no transition; each mail times out after smtp_connect_timeout', async () => {
  const sockets = new Set<import('node:net').Socket>();
  const server = createServer((s) => {
    sockets.add(s);
    s.on('error', () => undefined);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  try {
    const { clock, driver, logs } = wire(port);
    driver.start();
    assert.equal(driver.state.name, 'BACKUP', 'BACKUP at once, its mail in flight');
    await until('the first connection', () => sockets.size === 1);
    clock.advanceMs(3_700); // Master_Down_Interval at priority 100: 3.61 s
    assert.equal(driver.state.name, 'MASTER', 'MASTER on schedule, the BACKUP mail still hanging');
    await until('the second connection', () => sockets.size === 2);
    assert.deepEqual(logs, ['Remote SMTP server [127.0.0.1]:' + port + ' connected.', 'Remote SMTP server [127.0.0.1]:' + port + ' connected.']);
    clock.advanceMs(TIMEOUT_S * 1000 - 3_700 - 1);
    assert.equal(logs.filter((l) => l.startsWith('error: Timeout')).length, 0, 'not before smtp_connect_timeout');
    clock.advanceMs(3_702);
    assert.deepEqual(logs.filter((l) => l.startsWith('error:')), [`error: Timeout reading data to remote SMTP server [127.0.0.1]:${port}.`, `error: Timeout reading data to remote SMTP server [127.0.0.1]:${port}.`]);
    await until('both connections closed', () => sockets.size === 0);
    await driver.stop();
  } finally {
    server.close();
  }
});

test('a dead SMTP server (nobody listening) is reported and delays nothing', async () => {
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  const port = (probe.address() as { port: number }).port;
  await new Promise<void>((r) => probe.close(() => r()));
  const { clock, driver, logs } = wire(port);
  driver.start();
  clock.advanceMs(3_700);
  assert.equal(driver.state.name, 'MASTER');
  await until('two failures', () => logs.length === 2);
  for (const l of logs) assert.match(l, new RegExp(`^error: Error connecting SMTP server \\[127\\.0\\.0\\.1\\]:${port}: ECONNREFUSED`));
  await driver.stop();
});

test('a working sink receives one mail per transition, keepalived\'s text', async () => {
  const sink = await startSmtpSink('127.0.0.1', 0);
  try {
    const { clock, driver, logs } = wire(sink.port);
    driver.start();
    clock.advanceMs(3_700);
    await until('two sessions', () => sink.sessions.length === 2);
    await settle();
    const subjects = sink.sessions.map((s) => /Subject: (.*)\r\n/.exec(s)?.[1]).sort();
    assert.deepEqual(subjects, ['[lab] VRRP Instance VI_1 - Entering BACKUP state', '[lab] VRRP Instance VI_1 - Entering MASTER state']);
    assert.equal(logs.filter((l) => l === 'SMTP alert successfully sent.').length, 2);
    await driver.stop();
    clock.advanceMs(1_000);
    await settle();
    assert.equal(sink.connections(), 2, 'stopping sends no mail (keepalived 2.2.7 neither)');
  } finally {
    await sink.close();
  }
});

test('stopping the mailer abandons a hanging mail at once, without an error line', async () => {
  const server = createServer((s) => s.on('error', () => undefined));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  try {
    const { driver, logs, mailer } = wire(port);
    driver.start();
    await until('connected', () => logs.length === 1);
    mailer.close();
    await settle();
    assert.deepEqual(logs, [`Remote SMTP server [127.0.0.1]:${port} connected.`]);
    await driver.stop();
  } finally {
    server.close();
  }
});
