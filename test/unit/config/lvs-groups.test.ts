/**
 * virtual_server_group entries and group services, timers read like strtod, and keepalived's
 * exit-2 aborts: each expected list is what `keepalived -t` printed for the same text.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MAIN, runLvs } from './lvs-helpers.js';

const L = (n: number, m: string): string => `(${MAIN}: Line ${n}) ${m}`;

function groupWith(entry: string, protocol = 'TCP'): string {
  return `virtual_server_group g {\n ${entry}\n}\nvirtual_server group g {\n protocol ${protocol}\n lb_kind DR\n lb_algo rr\n sorry_server 192.0.2.99 81\n real_server 192.0.2.2 80 {\n }\n real_server 192.0.2.3 {\n }\n}\n`;
}

describe('virtual_server_group entries', () => {
  const cases: [string, string[]][] = [
    ['192.0.2.1 80', ['WARNING - virtual server [g]:0, sorry server has port specified - port will be ignored']],
    [
      '192.0.2.1',
      [
        'Virtual server [g]:0: zero port only valid for persistent services - setting',
        "virtual server [g]:0:[192.0.2.1,0] and real server [192.0.2.2]:tcp:80 ports don't match",
        'WARNING - virtual server [g]:0, sorry server has port specified - port will be ignored',
      ],
    ],
    ['192.0.2.1-300 80', [L(2, "Virtual server group range '192.0.2.1-300' end '300' too large"), L(3, 'virtual server group g has no entries - removing')]],
    ['192.0.2.1-10x 80', [L(2, "Virtual server group range '192.0.2.1-10x' has extra characters at end 'x'"), L(3, 'virtual server group g has no entries - removing')]],
    ['192.0.2.5-2 80', [L(2, 'Address range end is not greater than address range start - 192.0.2.5-2 - skipping'), L(3, 'virtual server group g has no entries - removing')]],
    ['2001:db8::1-fffff 80', [L(2, "Virtual server group range '2001:db8::1-fffff' end 'fffff' too large"), L(3, 'virtual server group g has no entries - removing')]],
    ['192.0.2.1 99999', [L(2, "number '99999' outside range [1, 65535]"), L(2, 'Invalid virtual server group IP address 192.0.2.1 /port/99999 - skipping'), L(3, 'virtual server group g has no entries - removing')]],
    ['fwmark x', [L(2, "invalid number 'x'"), L(2, "(g): fwmark 'x' must be in [0, 4294967295] - ignoring"), L(3, 'virtual server group g has no entries - removing')]],
    ['fwmark 5 foo', [L(2, "(g): fwmark '5' family foo unknown - ignoring"), L(3, 'virtual server group g has no entries - removing')]],
    [
      'fwmark 5',
      [
        'Warning: Virtual server [g]:0: protocol specified for fwmark - protocol will be ignored',
        'WARNING - fwmark virtual server [g]:0, real server [192.0.2.2]:none:80 has port specified - port will be ignored',
        'WARNING - fwmark virtual server [g]:0, sorry server has port specified - port will be ignored',
      ],
    ],
    // A group of another family than the real servers: the service is dropped without a message.
    ['2001:db8::1-ff 80', []],
    ['fwmark 5 inet6', []],
  ];
  for (const [entry, expected] of cases) {
    it(`'${entry}'`, () => assert.deepEqual(runLvs(groupWith(entry)).lines, expected));
  }

  it('refuses a group mixing IPv4, IPv6 and untyped fwmarks', () => {
    const r = runLvs('virtual_server_group mix {\n  192.0.2.1 80\n  2001:db8::1 80\n  fwmark 3\n}\n');
    assert.deepEqual(r.lines, [L(5, 'virtual server group mix cannot have IPv4, IPv6 and fwmark without family - removing')]);
    assert.equal(r.lvs.groups.size, 0);
  });
});

describe('timers are read like strtod', () => {
  it('keeps the number read so far after junk, 0 when there is none', () => {
    const text = 'virtual_server 192.0.2.1 80 {\n  protocol TCP\n  lb_algo rr\n  lb_kind NAT\n  warmup abc\n  delay_before_retry 1.5x\n  delay_loop abc\n  real_server 192.0.2.2 80 {\n    TCP_CHECK {\n    }\n  }\n}\n';
    const r = runLvs(text);
    assert.deepEqual(r.lines, [
      L(5, "invalid number 'abc'"),
      L(6, "invalid number '1.5x'"),
      L(7, "invalid number 'abc'"),
      L(7, "virtual server delay loop 'abc' invalid - ignoring"),
    ]);
    const tcp = r.lvs.virtualServers[0]?.realServers[0]?.checkers[0];
    assert.ok(tcp && 'timing' in tcp);
    assert.deepEqual([tcp.timing.warmupMs, tcp.timing.delayBeforeRetryMs, tcp.timing.delayLoopMs], [0, 1500, 60_000]);
  });
});

describe('missing parameters stop keepalived (exit 2)', () => {
  for (const [text, line, kw] of [
    ['virtual_server {\n}\n', 1, 'virtual_server'],
    ['virtual_server 192.0.2.1 80 {\n  delay_loop\n}\n', 2, 'delay_loop'],
    ['virtual_server 192.0.2.1 80 {\n  real_server\n}\n', 2, 'real_server'],
    ['track_file\n{\n file /tmp/x\n}\n', 1, 'track_file'],
  ] as const) {
    it(kw, () => {
      const r = runLvs(text);
      assert.deepEqual(r.lines, [L(line, `*** Configuration line starting \`${kw}\` is missing a parameter after keyword \`${kw}\` at word position 2`)]);
      assert.equal(r.exitCode, 2);
    });
  }
});

describe('group services and address families', () => {
  const text = (kind: string) =>
    `virtual_server_group g {\n  2001:db8::1 80\n  192.0.2.1 80\n}\nvirtual_server group g {\n  protocol TCP\n  lb_algo rr\n  lb_kind ${kind}\n  sorry_server 192.0.2.99 80\n  real_server 192.0.2.3 81 {\n  }\n}\n`;

  it('a tunnelled service may mix families: ports are checked entry by entry', () => {
    assert.deepEqual(runLvs(text('TUN')).lines, [
      "virtual server [g]:0:[2001:db8::1,80] and real server [192.0.2.3]:tcp:81 ports don't match",
      "virtual server [g]:0:[192.0.2.1,80] and real server [192.0.2.3]:tcp:81 ports don't match",
    ]);
  });

  it('a direct-routed service with an entry of another family is dropped silently', () => {
    const r = runLvs(text('DR'));
    assert.deepEqual(r.lines, []);
    assert.equal(r.lvs.virtualServers.length, 0);
  });
});
