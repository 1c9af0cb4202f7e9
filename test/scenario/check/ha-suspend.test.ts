/**
 * ha_suspend on the manual clock with a fake address monitor: the checkers of an ha_suspend
 * virtual server probe only while its address is on the host, with keepalived 2.2.7's lines
 * ("Deactivating"/"Activating" at start, "Suspending"/"Activating" later); a suspended checker
 * leaves its real server as it was (no pool event); an address held twice goes when both go; a
 * virtual server without ha_suspend is never touched; reload follows the keyword; no monitor is
 * reported and suspends nothing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeAddressPresence, harness, loadLvs, OK, REFUSED } from './subsystem-fakes.js';

const VIP = '192.0.2.100';
const VS = `[${VIP}]:tcp:80`;
const RS = '[192.0.2.10]:tcp:80';
const PLAIN_VS = '[192.0.2.1]:tcp:80';
const PLAIN_RS = '[192.0.2.11]:tcp:80';
const TCP = `TCP_CHECK ${RS}`;
const PLAIN_TCP = `TCP_CHECK ${PLAIN_RS}`;

function conf(haSuspend = true, vip = VIP): string {
  return `
virtual_server ${vip} 80 {
  delay_loop 5
  warmup 0
  protocol TCP
  ${haSuspend ? 'ha_suspend' : ''}
  real_server 192.0.2.10 80 {
    TCP_CHECK {
      connect_timeout 2
      retry 1
      delay_before_retry 1
    }
  }
}
virtual_server 192.0.2.1 80 {
  delay_loop 5
  warmup 0
  protocol TCP
  real_server 192.0.2.11 80 {
    TCP_CHECK {
      connect_timeout 2
    }
  }
}
`;
}

test('address absent: the checker is deactivated and probes nothing; the address comes: it runs; it goes: suspended, the real server keeps its state', async () => {
  const addresses = new FakeAddressPresence([['192.0.2.2', 2]]);
  const { clock, probes, log, sink, subsystem } = harness({ addresses });
  await subsystem.start({ lvs: loadLvs(conf()) });
  assert.ok(log.lines.includes(`Deactivating healthchecker for service ${RS} for VS ${VS}`), log.lines.join('\n'));
  assert.equal(log.lines.filter((l) => /ctivating healthchecker for service \[192\.0\.2\.11\]/.test(l)).length, 0, 'no line for a VS without ha_suspend');
  await clock.advance(20_000);
  assert.equal(probes.attemptsOf(TCP), 0, 'suspended: no probe');
  assert.ok(probes.attemptsOf(PLAIN_TCP) >= 4, 'the other virtual server is checked');
  assert.equal(sink.state(VS, RS)?.type, 'initial');
  assert.equal(sink.state(PLAIN_VS, PLAIN_RS)?.up, true);

  let mark = log.lines.length;
  addresses.add(VIP, 2);
  assert.deepEqual(log.since(mark), [`Activating healthchecker for service ${RS} for VS ${VS}`]);
  await clock.advance(5_000);
  assert.equal(probes.attemptsOf(TCP), 1, 'the next due attempt probes');

  probes.set(TCP, REFUSED);
  await clock.advance(5_000); // failure 1, retry in 1 s
  await clock.advance(1_000); // failure 2: down
  assert.equal(sink.state(VS, RS)?.type, 'down');
  const attempts = probes.attemptsOf(TCP);
  const events = sink.events.length;

  mark = log.lines.length;
  addresses.remove(VIP, 2);
  assert.deepEqual(log.since(mark), [`Suspending healthchecker for service ${RS} for VS ${VS}`]);
  probes.set(TCP, OK);
  await clock.advance(30_000);
  assert.equal(probes.attemptsOf(TCP), attempts, 'no probe while suspended');
  assert.equal(sink.events.length, events, 'no pool event while suspended');
  assert.equal(sink.state(VS, RS)?.up, false, 'the real server keeps its last state (down)');

  mark = log.lines.length;
  addresses.add(VIP, 2);
  await clock.advance(5_000);
  assert.deepEqual(log.since(mark), [`Activating healthchecker for service ${RS} for VS ${VS}`, `TCP connection to ${RS} success.`, `Adding service ${RS} to VS ${VS}`]);
  assert.equal(sink.state(VS, RS)?.type, 'up');
  await subsystem.shutdown(1_000);
  assert.equal(addresses.closes, 1, 'the monitor is closed at shutdown');
});

test('address present at start: Activating, checks run; held by two interfaces it is gone only when both drop it', async () => {
  const addresses = new FakeAddressPresence([[VIP, 2], [VIP, 3]]);
  const { clock, probes, log, subsystem } = harness({ addresses });
  await subsystem.start({ lvs: loadLvs(conf()) });
  assert.ok(log.lines.includes(`Activating healthchecker for service ${RS} for VS ${VS}`));
  await clock.advance(5_000);
  assert.equal(probes.attemptsOf(TCP), 2, 'first attempt at once, then delay_loop');
  const mark = log.lines.length;
  addresses.remove(VIP, 3);
  assert.deepEqual(log.since(mark), [], 'still on interface 2');
  addresses.remove(VIP, 2);
  assert.deepEqual(log.since(mark), [`Suspending healthchecker for service ${RS} for VS ${VS}`]);
  await clock.advance(20_000);
  assert.equal(probes.attemptsOf(TCP), 2);
  await subsystem.shutdown(1_000);
});

test('IPv6 addresses match whatever their spelling', async () => {
  const addresses = new FakeAddressPresence();
  const { log, subsystem } = harness({ addresses });
  await subsystem.start({ lvs: loadLvs(conf(true, '2001:db8::100').replace('real_server 192.0.2.10 80', 'real_server 2001:db8::10 80')) });
  const vs = '[2001:db8::100]:tcp:80';
  assert.ok(log.lines.includes(`Deactivating healthchecker for service [2001:db8::10]:tcp:80 for VS ${vs}`), log.lines.join('\n'));
  const mark = log.lines.length;
  addresses.add('2001:DB8:0:0::100', 4);
  assert.deepEqual(log.since(mark), [`Activating healthchecker for service [2001:db8::10]:tcp:80 for VS ${vs}`]);
  await subsystem.shutdown(1_000);
});

test('reload: dropping ha_suspend activates the suspended checker (state kept); adding it back suspends it again', async () => {
  const addresses = new FakeAddressPresence();
  const { clock, probes, log, subsystem } = harness({ addresses });
  await subsystem.start({ lvs: loadLvs(conf()) });
  await clock.advance(10_000);
  assert.equal(probes.attemptsOf(TCP), 0);
  let mark = log.lines.length;
  await subsystem.reload({ lvs: loadLvs(conf(false)) });
  assert.deepEqual(log.since(mark).filter((l) => /healthchecker for service/.test(l)), [`Activating healthchecker for service ${RS} for VS ${VS}`]);
  await clock.advance(5_000);
  assert.equal(probes.attemptsOf(TCP), 1);
  mark = log.lines.length;
  await subsystem.reload({ lvs: loadLvs(conf(true)) });
  assert.deepEqual(log.since(mark).filter((l) => /healthchecker for service/.test(l)), [`Suspending healthchecker for service ${RS} for VS ${VS}`]);
  await clock.advance(20_000);
  assert.equal(probes.attemptsOf(TCP), 1);
  assert.equal(addresses.opens, 1, 'one monitor for the daemon');
  await subsystem.shutdown(1_000);
});

test('no address monitor: reported once, nothing is suspended', async () => {
  const { clock, probes, log, subsystem } = harness();
  await subsystem.start({ lvs: loadLvs(conf()) });
  assert.deepEqual(log.lines.filter((l) => l.startsWith('ERROR')), ["ERROR ha_suspend: cannot follow the host's addresses (no address monitor) - checkers are never suspended"]);
  await clock.advance(5_000);
  assert.equal(probes.attemptsOf(TCP), 2);
  await subsystem.reload({ lvs: loadLvs(conf()) });
  assert.equal(log.lines.filter((l) => l.startsWith('ERROR')).length, 1, 'once');
  await subsystem.shutdown(1_000);
});
