/** Pool scenarios: keepalived.conf text -> pool model -> real-server events -> desired pool + effects. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PoolHarness } from './pool-support.js';

const VS = '[192.0.2.100]:tcp:80';
const RS = (n: number): string => `[192.0.2.${n}]:tcp:80`;
const rsBlock = (n: number, weight: number, extra = ''): string =>
  `  real_server 192.0.2.${n} 80 {\n    weight ${weight}\n    ${extra}\n    TCP_CHECK {\n      connect_timeout 1\n    }\n  }\n`;

function conf(body: string, servers = [rsBlock(2, 1), rsBlock(3, 2), rsBlock(4, 3)]): string {
  return `virtual_server 192.0.2.100 80 {\n  lb_algo wrr\n  lb_kind NAT\n  protocol TCP\n${body}\n${servers.join('')}}\n`;
}

test('all real servers start up (no alpha) at their weights', () => {
  const h = new PoolHarness(conf(''));
  assert.deepEqual(h.weights(VS), ['192.0.2.2:80=1', '192.0.2.3:80=2', '192.0.2.4:80=3']);
  assert.equal(h.service(VS).scheduler, 'wrr');
  assert.deepEqual(h.service(VS).matches, [{ kind: 'address', family: 'inet', first: '192.0.2.100', last: '192.0.2.100', port: 80 }]);
});

test('a DOWN event removes the server; UP brings it back; a repeated event changes nothing', () => {
  const h = new PoolHarness(conf(''));
  h.send({ type: 'rs-down', vs: VS, rs: RS(3) });
  assert.deepEqual(h.weights(VS), ['192.0.2.2:80=1', '192.0.2.4:80=3']);
  const before = h.state;
  h.send({ type: 'rs-down', vs: VS, rs: RS(3) });
  assert.equal(h.state, before, 'same state object: nothing to apply');
  h.send({ type: 'rs-up', vs: VS, rs: RS(3) });
  assert.deepEqual(h.weights(VS), ['192.0.2.2:80=1', '192.0.2.3:80=2', '192.0.2.4:80=3']);
});

test('alpha: servers with checkers start down, an UP event brings each in', () => {
  const h = new PoolHarness(conf('  alpha'));
  assert.deepEqual(h.weights(VS), []);
  h.send({ type: 'rs-up', vs: VS, rs: RS(4) });
  assert.deepEqual(h.weights(VS), ['192.0.2.4:80=3']);
});

test('inhibit_on_failure: a dead server stays at weight 0 instead of being removed', () => {
  const h = new PoolHarness(conf('  inhibit_on_failure'));
  h.send({ type: 'rs-down', vs: VS, rs: RS(2) });
  assert.deepEqual(h.weights(VS), ['192.0.2.2:80=0', '192.0.2.3:80=2', '192.0.2.4:80=3']);
});

test('inhibit_on_failure on one real server only', () => {
  const h = new PoolHarness(conf('', [rsBlock(2, 1, 'inhibit_on_failure'), rsBlock(3, 2)]));
  h.send({ type: 'rs-down', vs: VS, rs: RS(2) }, { type: 'rs-down', vs: VS, rs: RS(3) });
  assert.deepEqual(h.weights(VS), ['192.0.2.2:80=0']);
});

test('quorum with hysteresis: lost below quorum-hysteresis, regained at quorum+hysteresis, scripts as effects', () => {
  const h = new PoolHarness(conf('  quorum 4\n  hysteresis 1\n  quorum_up "/bin/true up"\n  quorum_down "/bin/false down"'));
  // alive weight 6; quorum lost when < 3
  assert.deepEqual(h.send({ type: 'rs-down', vs: VS, rs: RS(4) }), [], 'alive 3 >= 4-1: still held');
  const down = h.send({ type: 'rs-down', vs: VS, rs: RS(2) });
  assert.deepEqual(down, [{ type: 'quorum-down', vs: VS, aliveWeight: 2, script: '/bin/false down' }]);
  assert.deepEqual(h.send({ type: 'rs-up', vs: VS, rs: RS(2) }), [], 'alive 3 < 4+1: still lost');
  assert.deepEqual(h.send({ type: 'rs-up', vs: VS, rs: RS(4) }), [{ type: 'quorum-up', vs: VS, aliveWeight: 6, script: '/bin/true up' }]);
});

test('sorry server replaces the pool when the quorum is lost, and leaves when it returns', () => {
  const h = new PoolHarness(conf('  sorry_server 192.0.2.9 8080'));
  h.send({ type: 'rs-down', vs: VS, rs: RS(2) }, { type: 'rs-down', vs: VS, rs: RS(3) });
  assert.deepEqual(h.weights(VS), ['192.0.2.4:80=3']);
  const fx = h.send({ type: 'rs-down', vs: VS, rs: RS(4) });
  assert.deepEqual(fx.map((e) => e.type), ['quorum-down', 'sorry-server-in']);
  assert.deepEqual(h.weights(VS), ['192.0.2.9:8080=1']);
  assert.equal(h.service(VS).dests[0]?.role, 'sorry');
  const back = h.send({ type: 'rs-up', vs: VS, rs: RS(3) });
  assert.deepEqual(back.map((e) => e.type), ['quorum-up', 'sorry-server-out']);
  assert.deepEqual(h.weights(VS), ['192.0.2.3:80=2']);
});

test('quorum lost with a sorry server: live servers leave the pool too (insufficient servers)', () => {
  const h = new PoolHarness(conf('  quorum 5\n  sorry_server 192.0.2.9 80'));
  h.send({ type: 'rs-down', vs: VS, rs: RS(2) });
  assert.deepEqual(h.weights(VS), ['192.0.2.3:80=2', '192.0.2.4:80=3'], 'alive 5 >= 5');
  h.send({ type: 'rs-down', vs: VS, rs: RS(3) });
  assert.deepEqual(h.weights(VS), ['192.0.2.9:80=1']);
});

test('sorry_server_inhibit keeps the sorry server at weight 0 while unused; inhibited RS stay at 0 under sorry', () => {
  const h = new PoolHarness(conf('  sorry_server 192.0.2.9 80\n  sorry_server_inhibit\n  inhibit_on_failure'));
  assert.deepEqual(h.weights(VS), ['192.0.2.2:80=1', '192.0.2.3:80=2', '192.0.2.4:80=3', '192.0.2.9:80=0']);
  h.send(...[2, 3, 4].map((n) => ({ type: 'rs-down' as const, vs: VS, rs: RS(n) })));
  assert.deepEqual(h.weights(VS), ['192.0.2.2:80=0', '192.0.2.3:80=0', '192.0.2.4:80=0', '192.0.2.9:80=1']);
});

test('quorum lost without a sorry server: live servers stay, only the effect fires', () => {
  const h = new PoolHarness(conf('  quorum 4'));
  const fx = h.send({ type: 'rs-down', vs: VS, rs: RS(4) });
  assert.deepEqual(fx.map((e) => e.type), ['quorum-down']);
  assert.deepEqual(h.weights(VS), ['192.0.2.2:80=1', '192.0.2.3:80=2']);
});

test('a dynamic weight change counts for the quorum and the pool', () => {
  const h = new PoolHarness(conf('  quorum 3'));
  h.send({ type: 'rs-weight', vs: VS, rs: RS(4), weight: 0 }, { type: 'rs-down', vs: VS, rs: RS(3) });
  assert.deepEqual(h.effects.map((e) => e.type), ['quorum-down']);
  assert.deepEqual(h.weights(VS), ['192.0.2.2:80=1', '192.0.2.4:80=0']);
});

test('omega: shutdown reports the live servers down and empties the pool; unknown servers are reported', () => {
  const h = new PoolHarness(conf('  omega'));
  h.send({ type: 'rs-down', vs: VS, rs: RS(2) });
  assert.deepEqual(h.send({ type: 'rs-up', vs: VS, rs: '[192.0.2.77]:tcp:80' }), [{ type: 'unknown-server', vs: VS, rs: '[192.0.2.77]:tcp:80' }]);
  const fx = h.send({ type: 'shutdown' });
  assert.deepEqual(fx.map((e) => (e.type === 'rs-down-on-shutdown' ? e.rs : '')).sort(), [RS(3), RS(4)]);
  assert.equal(h.send({ type: 'rs-up', vs: VS, rs: RS(2) }).length, 0, 'no event after shutdown');
});

test('fwmark and virtual_server_group services render their matches', () => {
  const text = `virtual_server_group WEB {\n  192.0.2.100-110 80\n  fwmark 7\n}\nvirtual_server group WEB {\n  lb_algo sh\n  lb_kind NAT\n  protocol TCP\n  persistence_timeout 30\n${rsBlock(2, 1)}}\nvirtual_server fwmark 3 {\n  lb_algo rr\n  lb_kind NAT\n${rsBlock(3, 1)}}\n`;
  const h = new PoolHarness(text);
  const ids = [...h.state.virtualServers.keys()];
  assert.equal(ids.length, 2);
  const g = h.service(ids[0] ?? '');
  assert.deepEqual(g.matches, [
    { kind: 'address', family: 'inet', first: '192.0.2.100', last: '192.0.2.110', port: 80 },
    { kind: 'fwmark', fwmark: 7 },
  ]);
  assert.equal(g.persistenceTimeoutS, 30);
  assert.deepEqual(h.service(ids[1] ?? '').matches, [{ kind: 'fwmark', fwmark: 3 }]);
});
