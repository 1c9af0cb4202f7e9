/**
 * virtual_server / real_server / virtual_server_group: keepalived 2.2.7's messages (each expected
 * list is what `keepalived -t` printed for the same text) and the resolved model.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MAIN, runLvs, vsWith } from './lvs-helpers.js';

const L = (n: number, m: string): string => `(${MAIN}: Line ${n}) ${m}`;

describe('virtual_server post-parse checks', () => {
  it('applies defaults and checks in keepalived order (protocol, zero port, scheduler, duplicates, quorum, hysteresis, ports)', () => {
    const text = [
      'virtual_server 192.0.2.1 0 {',
      '  quorum 5',
      '  hysteresis 7',
      '  lb_kind DR',
      '  sorry_server 192.0.2.9 80',
      '  real_server 192.0.2.2 81 {',
      '  }',
      '  real_server 192.0.2.2 81 {',
      '  }',
      '  real_server 192.0.2.3 82 {',
      '     weight 2',
      '  }',
      '}',
      'virtual_server 192.0.2.7 80 {',
      '}',
      '',
    ].join('\n');
    const r = runLvs(text);
    assert.deepEqual(r.lines, [
      'Virtual server [192.0.2.1]:none:0: no protocol set - defaulting to UDP',
      'Virtual server [192.0.2.1]:udp:0: zero port only valid for persistent services - setting',
      "Virtual server [192.0.2.1]:udp:0: no scheduler set, setting default 'wlc'",
      'VS [192.0.2.1]:udp:0: real server [192.0.2.2]:udp:81 is duplicated - removing second rs',
      'Warning - quorum 5 for [192.0.2.1]:udp:0 exceeds total weight of real servers 3, reducing quorum to 3',
      'Virtual server [192.0.2.1]:udp:0: hysteresis 7 >= quorum 3; setting hysteresis to 2',
      "WARNING - virtual server [192.0.2.1]:udp:0 and real server [192.0.2.2]:udp:81 ports don't match - resetting",
      "WARNING - virtual server [192.0.2.1]:udp:0 and real server [192.0.2.3]:udp:82 ports don't match - resetting",
      "WARNING - virtual server [192.0.2.1]:udp:0 and sorry server ports don't match - resetting",
      'Virtual server [192.0.2.7]:none:80 has no real servers - ignoring',
    ]);
    assert.equal(r.exitCode, 5);
    const vs = r.lvs.virtualServers[0];
    assert.ok(vs);
    assert.equal(r.lvs.virtualServers.length, 1);
    assert.equal(vs.protocol, 'udp');
    assert.equal(vs.scheduler, 'wlc');
    assert.equal(vs.persistenceTimeoutS, 360);
    assert.equal(vs.quorum, 3);
    assert.equal(vs.hysteresis, 2);
    assert.deepEqual(vs.realServers.map((rs) => rs.endpoint.port), [0, 0]);
  });

  it('fwmark services: protocol ignored, real and sorry server ports cleared (DR)', () => {
    const text = 'virtual_server fwmark 9 {\n  protocol TCP\n  lb_kind DR\n  sorry_server 192.0.2.9 81\n  real_server 192.0.2.9 81 {\n  }\n}\n';
    assert.deepEqual(runLvs(text).lines, [
      'Warning: Virtual server FWM 9: protocol specified for fwmark - protocol will be ignored',
      "Virtual server FWM 9: no scheduler set, setting default 'wlc'",
      'WARNING - fwmark virtual server FWM 9, real server [192.0.2.9]:none:81 has port specified - clearing',
      'WARNING - virtual server FWM 9, sorry server has port specified - clearing',
    ]);
  });

  it('NAT services keep real server ports and say nothing about them', () => {
    const r = runLvs('virtual_server fwmark 9 {\n  lb_algo rr\n  lb_kind NAT\n  sorry_server 192.0.2.9 81\n  real_server 192.0.2.9 81 {\n  }\n}\n');
    assert.deepEqual(r.lines, []);
    assert.equal(r.exitCode, 0);
  });

  it('walks the real servers in order: forwarding default, sorry inhibit, duplicates', () => {
    const text = [
      'virtual_server 192.0.2.1 80 {',
      ' protocol TCP',
      ' lb_algo rr',
      ' sorry_server 192.0.2.9 80',
      ' real_server 192.0.2.9 80 {',
      '  inhibit_on_failure',
      ' }',
      ' real_server 192.0.2.9 80 {',
      ' }',
      '}',
      'virtual_server 192.0.2.1 81 {',
      ' protocol TCP',
      ' lb_algo rr',
      ' sorry_server 192.0.2.9 81',
      ' real_server 192.0.2.3 81 {',
      ' lvs_method DR',
      ' }',
      ' real_server 192.0.2.9 81 {',
      '  inhibit_on_failure',
      ' }',
      '}',
      '',
    ].join('\n');
    assert.deepEqual(runLvs(text).lines, [
      'Virtual server [192.0.2.1]:tcp:80: no forwarding method set, setting default NAT',
      'Virtual server [192.0.2.1]:tcp:80: real server [192.0.2.9]:tcp:80 matches sorry server, but inhibit setting differs, setting on sorry server',
      'VS [192.0.2.1]:tcp:80: real server [192.0.2.9]:tcp:80 is duplicated - removing second rs',
      'Virtual server [192.0.2.1]:tcp:81: no forwarding method set, setting default NAT',
      'Virtual server [192.0.2.1]:tcp:81: real server [192.0.2.9]:tcp:81 matches sorry server, but inhibit setting differs, setting on sorry server',
    ]);
  });

  it('sorry server matching a real server takes its inhibit setting', () => {
    const text = vsWith('    inhibit_on_failure\n', '  sorry_server 192.0.2.2 80\n');
    assert.deepEqual(runLvs(text).lines, [
      'Virtual server [192.0.2.1]:tcp:80: real server [192.0.2.2]:tcp:80 matches sorry server, but inhibit setting differs, setting on sorry server',
    ]);
  });
});

describe('virtual_server keywords', () => {
  it('reports bad values with keepalived messages and keeps defaults', () => {
    const text = [
      'virtual_server 192.0.2.1 80 {',
      '  protocol TCP',
      '  delay_loop 0',
      '  connect_timeout -1',
      '  retry x',
      '  persistence_timeout 0',
      '  quorum 0',
      '  hysteresis 99999999999',
      '  lb_algo wlc2',
      '  lb_kind DR1',
      '  real_server 192.0.2.2 80 {',
      '    weight -1',
      '  }',
      '}',
      '',
    ].join('\n');
    const r = runLvs(text);
    assert.deepEqual(r.lines, [
      L(3, "number '0' outside range [0.000001, 18446744073709.551614]"),
      L(3, "virtual server delay loop '0' invalid - ignoring"),
      L(4, "negative number '-1'"),
      L(4, 'virtual server connect_timeout -1 invalid - ignoring'),
      L(5, "invalid number 'x'"),
      L(5, 'retry value invalid - x'),
      L(6, "number '0' outside range [1, 2678400]"),
      L(6, 'persistence_timeout invalid'),
      L(7, "number '0' outside range [1, 4294967295]"),
      L(7, 'Quorum 0 must be in [1, 4294967295]. Setting to 1.'),
      L(8, "number '99999999999' outside unsigned integer range"),
      L(8, 'Hysteresis 99999999999 must be in [0, 4294967295] - ignoring'),
      L(9, "Invalid lvs_scheduler 'wlc2' - ignoring"),
      L(10, 'PARSER : unknown [DR1] routing method for virtual server.'),
      L(12, "negative number '-1'"),
      L(12, 'Real server weight -1 is outside range 0-2147483647'),
      "Virtual server [192.0.2.1]:tcp:80: no scheduler set, setting default 'wlc'",
      'Virtual server [192.0.2.1]:tcp:80: no forwarding method set, setting default NAT',
    ]);
    const vs = r.lvs.virtualServers[0];
    assert.equal(vs?.delayLoopMs, 60_000);
    assert.equal(vs?.quorum, 1);
    assert.equal(vs?.realServers[0]?.weight, 1);
  });

  it('skips services and real servers with bad addresses', () => {
    const text = 'virtual_server foo {\n}\nvirtual_server fwmark abc {\n}\n' + vsWith('', '', '2001:db8::1 80');
    const r = runLvs(text);
    assert.deepEqual(r.lines, [
      L(1, 'Invalid virtual server IP address foo - skipping'),
      L(3, "invalid number 'abc'"),
      L(3, "virtual server fwmark 'abc' must be in [0, 4294967295] - ignoring"),
      L(10, "Address family of virtual server and real server 192.0.2.2 don't match - skipping real server."),
      'Virtual server [2001:db8::1]:tcp:80 has no real servers - ignoring',
    ]);
    assert.equal(r.lvs.virtualServers.length, 0);
  });

  it('parses tunnel options and rejects a gue tunnel without port', () => {
    const r = runLvs(vsWith('', '  lb_kind TUN type gue\n  lvs_method TUN type gue port 6080 csum\n').replace('  lb_kind NAT\n', ''));
    assert.deepEqual(r.lines, [L(4, 'gue tunnels require port, otherwise cannot have port.')]);
    assert.deepEqual(r.lvs.virtualServers[0]?.forwarding, { method: 'TUN', tunnel: { type: 'gue', guePort: 6080, checksum: 'csum' } });
  });
});

describe('tunnels', () => {
  it('reads options in any order, keeps TUN after an option error, and defaults the service for a sorry server without method', () => {
    const text = [
      'virtual_server 192.0.2.1 80 {',
      ' protocol TCP',
      ' lb_algo rr',
      ' sorry_server 192.0.2.9 80',
      ' real_server 192.0.2.2 80 {',
      '  lvs_method TUN port 5 csum',
      ' }',
      ' real_server 192.0.2.3 80 {',
      '  lvs_method TUN type',
      ' }',
      ' real_server 192.0.2.4 81 {',
      '  lvs_method TUN type ipip foo',
      ' }',
      '}',
      '',
    ].join('\n');
    const r = runLvs(text);
    assert.deepEqual(r.lines, [
      L(6, 'gue tunnels require port, otherwise cannot have port.'),
      L(9, 'Missing tunnel type for real server.'),
      L(12, 'Invalid tunnel option foo for real server.'),
      'Virtual server [192.0.2.1]:tcp:80: no forwarding method set, setting default NAT',
      "WARNING - virtual server [192.0.2.1]:tcp:80 and real server [192.0.2.4]:tcp:81 ports don't match - resetting",
    ]);
    assert.deepEqual(r.lvs.virtualServers[0]?.realServers[0]?.forwarding, { method: 'TUN', tunnel: { type: 'ipip', guePort: 5, checksum: 'csum' } });
  });
});

describe('timing inheritance virtual_server -> real_server -> checker', () => {
  it('resolves each checker from the nearest level, then the defaults', () => {
    const inner = [
      '    delay_loop 7',
      '    retry 4',
      '    TCP_CHECK {',
      '      connect_timeout 2.5',
      '    }',
      '    HTTP_GET {',
      '      url {',
      '        path /',
      '      }',
      '      delay_loop 3',
      '    }',
      '',
    ].join('\n');
    const r = runLvs(vsWith(inner, '  delay_before_retry 0.5\n  warmup 0\n  alpha\n'));
    assert.deepEqual(r.lines, []);
    const [tcp, http] = r.lvs.virtualServers[0]?.realServers[0]?.checkers ?? [];
    assert.deepEqual(tcp && 'timing' in tcp ? tcp.timing : undefined, {
      delayLoopMs: 7000,
      connectTimeoutMs: 2500,
      retry: 4,
      delayBeforeRetryMs: 500,
      warmupMs: 0,
      alpha: true,
      logAllFailures: false,
    });
    assert.equal(http && 'timing' in http ? http.timing.delayLoopMs : undefined, 3000);
    assert.equal(http && 'timing' in http ? http.timing.connectTimeoutMs : undefined, 5000);
  });

  it('uses per-checker defaults when nothing is inherited', () => {
    const inner = '    MISC_CHECK {\n      misc_path /bin/true\n    }\n    DNS_CHECK {\n    }\n    HTTP_GET {\n      url {\n        path /\n      }\n    }\n';
    const r = runLvs(vsWith(inner), { files: { '/bin/true': '' } });
    const checkers = r.lvs.virtualServers[0]?.realServers[0]?.checkers ?? [];
    const timing = checkers.map((c) => ('timing' in c ? [c.type, c.timing.retry, c.timing.delayBeforeRetryMs, c.timing.warmupMs] : [c.type]));
    assert.deepEqual(timing, [
      ['MISC_CHECK', 0, 1000, 60_000],
      ['DNS_CHECK', 3, 60_000, 60_000],
      ['HTTP_GET', 1, 3000, 60_000],
    ]);
  });
});

describe('virtual_server_group', () => {
  it('names group services [group]:N and warns per entry when ports differ (DR)', () => {
    const text = [
      'virtual_server_group g1 {',
      '  192.0.2.5 80',
      '  192.0.2.10-20 81',
      '  bogus',
      '}',
      'virtual_server group g1 {',
      '  protocol TCP',
      '  lb_algo rr',
      '  lb_kind DR',
      '  real_server 192.0.2.2 80 {',
      '  }',
      '}',
      'virtual_server group nosuch {',
      '  real_server 192.0.2.2 80 {',
      '  }',
      '}',
      '',
    ].join('\n');
    const r = runLvs(text);
    assert.deepEqual(r.lines, [
      L(4, 'Invalid virtual server group IP address bogus  - skipping'),
      "virtual server [g1]:0:[192.0.2.10-192.0.2.20,81] and real server [192.0.2.2]:tcp:80 ports don't match",
    ]);
    assert.deepEqual(r.lvs.groups.get('g1')?.entries.length, 2);
    assert.equal(r.lvs.virtualServers.length, 1);
  });
});
