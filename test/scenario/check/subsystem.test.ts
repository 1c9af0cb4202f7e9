/**
 * The checker subsystem on a manual clock with scripted probes: keepalived.conf text through the
 * real config pipeline, keepalived's log lines for every transition, notify scripts, dynamic
 * weights, the PoolSink stream, reload keeping unchanged checkers, shutdown.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { harness, loadLvs, OK, REFUSED } from './subsystem-fakes.js';

const VS = '[192.0.2.1]:tcp:80';
const RS1 = '[192.0.2.10]:tcp:80';
const RS2 = '[192.0.2.11]:tcp:80';

function conf(opts: { inhibit?: boolean; tcpRetry?: number; extraRs?: string; omega?: boolean } = {}): string {
  return `
virtual_server 192.0.2.1 80 {
  delay_loop 10
  warmup 0
  lb_algo rr
  protocol TCP
  ${opts.omega ? 'omega' : ''}
  real_server 192.0.2.10 80 {
    weight 1
    ${opts.inhibit ? 'inhibit_on_failure' : ''}
    notify_up /usr/local/bin/up.sh
    notify_down /usr/local/bin/down.sh
    TCP_CHECK {
      connect_timeout 3
      retry ${opts.tcpRetry ?? 1}
      delay_before_retry 2
    }
    HTTP_GET {
      url {
        path /health
        status_code 200
      }
      connect_timeout 3
      retry 0
    }
  }
  real_server 192.0.2.11 80 {
    weight 1
    MISC_CHECK {
      misc_path /usr/local/bin/check.sh
      misc_dynamic
    }
  }
  ${opts.extraRs ?? ''}
}
`;
}

test('a TCP_CHECK failing retry+1 times removes the real server with keepalived lines, notify_down and a down event; success adds it back', async () => {
  const { clock, probes, runner, log, sink, subsystem } = harness();
  await subsystem.start({ lvs: loadLvs(conf()) });
  await clock.advance(0);
  assert.equal(sink.state(VS, RS1)?.up, true);
  assert.equal(sink.events[0]?.type, 'initial');
  probes.set(`TCP_CHECK ${RS1}`, REFUSED);
  const mark = log.lines.length;
  await clock.advance(10_000); // failure 1 -> retry in 2 s
  assert.equal(sink.state(VS, RS1)?.up, true);
  await clock.advance(2_000); // failure 2 -> DOWN
  assert.deepEqual(log.since(mark), [`TCP_CHECK on service ${RS1} failed after 1 retries.`, `Removing service ${RS1} from VS ${VS}`]);
  assert.deepEqual(runner.runs, ['/usr/local/bin/down.sh']);
  const down = sink.state(VS, RS1);
  assert.equal(down?.type, 'down');
  assert.equal(down?.up, false);
  assert.match(down?.reason ?? '', /connect-refused/);
  probes.set(`TCP_CHECK ${RS1}`, OK);
  const mark2 = log.lines.length;
  await clock.advance(10_000);
  assert.deepEqual(log.since(mark2), [`TCP connection to ${RS1} success.`, `Adding service ${RS1} to VS ${VS}`]);
  assert.deepEqual(runner.runs, ['/usr/local/bin/down.sh', '/usr/local/bin/up.sh']);
  assert.equal(sink.state(VS, RS1)?.type, 'up');
  await subsystem.shutdown(1_000);
});

test('a real server is up only while all of its checkers pass: a failing HTTP_GET removes it though TCP passes', async () => {
  const { clock, probes, log, sink, subsystem } = harness();
  await subsystem.start({ lvs: loadLvs(conf()) });
  await clock.advance(0);
  probes.set(`HTTP_GET ${RS1}`, { ok: false, failure: 'bad-status', reason: '/health: status 503' });
  const mark = log.lines.length;
  await clock.advance(10_000);
  assert.deepEqual(log.since(mark), [`HTTP_CHECK on service ${RS1} failed.`, `Removing service ${RS1} from VS ${VS}`]);
  assert.equal(subsystem.serverState(`${VS} ${RS1}`)?.up, false);
  // TCP failing too changes nothing more for the server
  probes.set(`TCP_CHECK ${RS1}`, REFUSED);
  await clock.advance(12_000);
  assert.equal(sink.events.filter((e) => e.realServer === RS1 && e.type === 'down').length, 1);
  // HTTP recovers but TCP is still down: still out of the pool
  probes.set(`HTTP_GET ${RS1}`, OK);
  await clock.advance(10_000);
  assert.equal(subsystem.serverState(`${VS} ${RS1}`)?.up, false);
  assert.ok(log.lines.includes(`HTTP status code success to ${RS1} url(1).`));
  probes.set(`TCP_CHECK ${RS1}`, OK);
  await clock.advance(10_000);
  assert.equal(subsystem.serverState(`${VS} ${RS1}`)?.up, true);
  await subsystem.shutdown(1_000);
});

test('inhibit_on_failure: Disabling/Enabling wording, and the event says inhibit', async () => {
  const { clock, probes, log, sink, subsystem } = harness();
  await subsystem.start({ lvs: loadLvs(conf({ inhibit: true, tcpRetry: 0 })) });
  await clock.advance(0);
  probes.set(`TCP_CHECK ${RS1}`, REFUSED);
  await clock.advance(10_000);
  assert.ok(log.lines.includes(`TCP_CHECK on service ${RS1} failed.`));
  assert.ok(log.lines.includes(`Disabling service ${RS1} of VS ${VS}`));
  assert.equal(sink.state(VS, RS1)?.inhibit, true);
  probes.set(`TCP_CHECK ${RS1}`, OK);
  await clock.advance(10_000);
  assert.ok(log.lines.includes(`Enabling service ${RS1} of VS ${VS}`));
  await subsystem.shutdown(1_000);
});

test('MISC_CHECK misc_dynamic: a weight result changes the real server weight once, logged and streamed', async () => {
  const { clock, probes, log, sink, subsystem } = harness();
  await subsystem.start({ lvs: loadLvs(conf()) });
  probes.set(`MISC_CHECK ${RS2}`, { ok: true, weight: 5, detail: 'exit 7' });
  await clock.advance(0);
  await clock.advance(10_000);
  assert.equal(log.lines.filter((l) => l === `Changing weight from 1 to 5 for active service ${RS2} of VS ${VS}`).length, 1);
  const w = sink.events.filter((e) => e.type === 'weight');
  assert.equal(w.length, 1);
  assert.equal(w[0]?.weight, 5);
  assert.equal(subsystem.serverState(`${VS} ${RS2}`)?.weight, 5);
  await subsystem.shutdown(1_000);
});

test('reload keeps unchanged checkers and their state, restarts changed ones, removes dropped servers', async () => {
  const { clock, probes, log, sink, subsystem } = harness();
  await subsystem.start({ lvs: loadLvs(conf({ tcpRetry: 0 })) });
  await clock.advance(0);
  probes.set(`TCP_CHECK ${RS1}`, REFUSED);
  await clock.advance(10_000);
  assert.equal(subsystem.serverState(`${VS} ${RS1}`)?.up, false);
  const buildsBefore = probes.builds.length;
  const mark = log.lines.length;
  // same config plus a new real server: nothing restarts, RS1 stays down without new lines
  const extra = 'real_server 192.0.2.12 80 {\n TCP_CHECK {\n connect_timeout 3\n }\n }';
  await subsystem.reload({ lvs: loadLvs(conf({ tcpRetry: 0, extraRs: extra })) });
  assert.equal(probes.builds.length, buildsBefore + 1);
  assert.equal(subsystem.serverState(`${VS} ${RS1}`)?.up, false);
  assert.deepEqual(log.since(mark), []);
  assert.equal(sink.state(VS, '[192.0.2.12]:tcp:80')?.type, 'initial');
  // the extra server dropped again: a 'removed' event
  await subsystem.reload({ lvs: loadLvs(conf({ tcpRetry: 0 })) });
  assert.equal(sink.events.at(-1)?.type, 'removed');
  assert.equal(sink.state(VS, '[192.0.2.12]:tcp:80'), undefined);
  // a changed TCP_CHECK (retry 0 -> 1) is rebuilt and starts fresh (up, not alpha)
  await subsystem.reload({ lvs: loadLvs(conf({ tcpRetry: 1 })) });
  assert.ok(probes.builds.length >= buildsBefore + 2);
  assert.equal(subsystem.serverState(`${VS} ${RS1}`)?.up, true);
  assert.equal(subsystem.runningCheckerIds().length, 3);
  await subsystem.shutdown(1_000);
});

test('shutdown stops every checker; omega runs notify_down for servers that are up', async () => {
  const { clock, probes, runner, subsystem } = harness();
  await subsystem.start({ lvs: loadLvs(conf({ omega: true })) });
  await clock.advance(0);
  const before = probes.attempts.length;
  await subsystem.shutdown(1_000);
  await clock.advance(60_000);
  assert.equal(probes.attempts.length, before);
  assert.deepEqual(runner.runs, ['/usr/local/bin/down.sh']);
});

test('a checker that cannot be built is logged and skipped; the others run', async () => {
  const { clock, probes, log, subsystem } = harness();
  const extra = 'real_server 192.0.2.13 80 {\n UDP_CHECK {\n connect_timeout 3\n }\n TCP_CHECK {\n connect_timeout 3\n }\n }';
  await subsystem.start({ lvs: loadLvs(conf({ extraRs: extra })) });
  await clock.advance(0);
  assert.ok(log.lines.some((l) => /^ERROR UDP_CHECK for \[192\.0\.2\.13\]:tcp:80 of VS .* - checker not started$/.test(l)), log.lines.join('\n'));
  assert.equal(probes.attemptsOf('TCP_CHECK [192.0.2.13]:tcp:80'), 1);
  await subsystem.shutdown(1_000);
});
