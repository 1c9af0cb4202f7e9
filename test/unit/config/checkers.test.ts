/**
 * The health checker blocks inside real_server: keepalived 2.2.7's messages (expected lines are
 * what `keepalived -t` printed for the same text), the resolved checker model, hex patterns and
 * checker-side script security.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { parseHexPattern } from '../../../src/config/domains/lvs/checkers/others.js';
import type { Checker } from '../../../src/config/model/lvs.js';
import { MAIN, runLvs, vsWith } from './lvs-helpers.js';

const L = (n: number, m: string): string => `(${MAIN}: Line ${n}) ${m}`;

function checkers(text: string, files: Record<string, string> = {}): readonly Checker[] {
  return runLvs(text, { files }).lvs.virtualServers[0]?.realServers[0]?.checkers ?? [];
}

describe('HTTP_GET / SSL_GET', () => {
  it('validates status codes, digests, http_protocol, virtualhost and url paths', () => {
    const inner = [
      '    HTTP_GET {', // 6
      '      url {',
      '        path /a',
      '        status_code 200 301-302 99 600 abc 300-200 404-x', // 9
      '        digest 1234',
      '        digest 0123456789abcdef0123456789ABCDEF',
      '        digest 0123456789abcdef0123456789abcdef', // 12
      '      }',
      '      url {',
      '      }', // 15
      '      http_protocol 2.0',
      '      http_protocol 1.0c',
      '      nb_get_retry 3', // 18
      '      virtualhost',
      '    }',
      '    HTTP_GET {', // 21
      '    }', // 22
      '',
    ].join('\n');
    const r = runLvs(vsWith(inner));
    assert.deepEqual(r.lines, [
      L(9, "Invalid HTTP_GET status code '99'"),
      L(9, "Invalid HTTP_GET status code '600'"),
      L(9, "Invalid HTTP_GET status code 'abc'"),
      L(9, "Invalid HTTP_GET status code '300-200'"),
      L(9, "Invalid HTTP_GET status code '404-x'"),
      L(10, "digest '1234' character length should be 32 rather than 4"),
      L(12, "Digest '0123456789abcdef0123456789abcdef' is a duplicate"),
      L(15, 'HTTP/SSL_GET checker url has no path - ignoring'),
      L(16, 'Invalid http_protocol version 2.0'),
      L(18, "nb_get_retry is deprecated - please use 'retry'"),
      L(19, 'HTTP_GET virtualhost name missing'),
      L(22, 'HTTP/SSL_GET checker has no urls specified - ignoring'),
    ]);
    const cs = r.lvs.virtualServers[0]?.realServers[0]?.checkers ?? [];
    assert.equal(cs.length, 1);
    const http = cs[0];
    assert.ok(http?.type === 'HTTP_GET');
    assert.equal(http.httpProtocol, '1.0C');
    assert.equal(http.timing.retry, 3);
    assert.deepEqual(http.urls[0]?.statusCodes, [[200, 200], [301, 302]]);
    assert.deepEqual(http.urls[0]?.digests, ['0123456789abcdef0123456789abcdef']);
  });

  it('defaults a url without status_code to 200-299', () => {
    const cs = checkers(vsWith('    SSL_GET {\n      url {\n        path /\n      }\n    }\n'));
    assert.ok(cs[0]?.type === 'SSL_GET');
    assert.deepEqual(cs[0].urls[0]?.statusCodes, [[200, 299]]);
  });

  it('a bare path aborts like keepalived (missing parameter, exit 2)', () => {
    const r = runLvs(vsWith('    HTTP_GET {\n      url {\n        path\n      }\n    }\n'));
    assert.deepEqual(r.lines, [L(8, '*** Configuration line starting `path` is missing a parameter after keyword `path` at word position 2')]);
    assert.equal(r.exitCode, 2);
  });
});

describe('connection options', () => {
  it('reports bad values as keepalived does', () => {
    const inner = [
      '    TCP_CHECK {', // 6
      '      connect_timeout 0',
      '      retry 1.5',
      '      delay_before_retry 0', // 9
      '      alpha x',
      '      log_all_failures maybe',
      '      connect_port 70000', // 12
      '      bind_port x',
      '      fwmark -3',
      '      connect_ip 1.2.3', // 15
      '      bindto zz',
      '      bind_if 01234567890123456789',
      '    }',
      '',
    ].join('\n');
    const r = runLvs(vsWith(inner));
    assert.deepEqual(r.lines, [
      L(7, "number '0' outside range [0.000001, 4294.967295]"),
      L(7, 'connect_timeout 0 invalid - ignoring'),
      L(8, "invalid number '1.5'"),
      L(8, "Invalid retry connection value '1.5'"),
      L(10, 'Invalid alpha parameter x'),
      L(11, 'Invalid log_all_failures parameter maybe'),
      L(12, "number '70000' outside range [1, 65535]"),
      L(12, "Invalid checker connect_port '70000'"),
      L(13, "invalid number 'x'"),
      L(13, "Invalid checker bind_port 'x'"),
      L(14, "negative number '-3'"),
      L(14, "Invalid fwmark connection value '-3'"),
      L(15, 'Invalid connect_ip address 1.2.3 - ignoring'),
      L(16, 'Invalid bindto address zz - ignoring'),
      L(17, 'Interface name 01234567890123456789 is too long - ignoring'),
    ]);
    const tcp = r.lvs.virtualServers[0]?.realServers[0]?.checkers[0];
    assert.ok(tcp?.type === 'TCP_CHECK');
    assert.equal(tcp.timing.delayBeforeRetryMs, 0);
    assert.deepEqual(tcp.connection, {});
  });
});

describe('UDP_CHECK, DNS_CHECK, SMTP_CHECK', () => {
  it('validates payloads, reply patterns, lengths, DNS types and names', () => {
    const inner = [
      '    UDP_CHECK {', // 6
      '      payload 0a0bzz',
      '      payload',
      '      require_reply 0aXb', // 9
      '      require_reply 0aXbq',
      '      max_reply_length -1',
      '      min_reply_length 20', // 12
      '      max_reply_length 10',
      '    }',
      '    DNS_CHECK {', // 15
      '      type FOO',
      '      type mx',
      '      name a..b', // 18
      '      name example.com',
      '      name other',
      '    }', // 21
      '    SMTP_CHECK {',
      '      helo_name',
      '    }', // 24
      '',
    ].join('\n');
    const r = runLvs(vsWith(inner));
    assert.deepEqual(r.lines, [
      L(7, 'Invalid hex string for UDP_CHECK payload'),
      L(8, 'UDP_CHECK payload requires a payload'),
      L(10, 'Invalid hex string for UDP_CHECK reply'),
      L(11, "negative number '-1'"),
      L(11, 'UDP_CHECK max length -1 not valid - must be between 0 & 65535'),
      L(14, 'UDP_CHECK min_reply length 20 > max_reply_length 10 - will always fail'),
      L(16, 'Unknown DNS check type FOO - ignoring'),
      L(18, "DNS_CHECK name 'a..b' has empty label - ignoring"),
      L(20, 'DNS_CHECK name already specified - ignoring'),
      L(23, 'SMTP_CHECK helo name missing'),
    ]);
    const [udp, dns, smtp] = r.lvs.virtualServers[0]?.realServers[0]?.checkers ?? [];
    assert.ok(udp?.type === 'UDP_CHECK' && dns?.type === 'DNS_CHECK' && smtp?.type === 'SMTP_CHECK');
    assert.deepEqual([...(udp.replyPattern?.bytes ?? [])], [0x0a, 0x0b]);
    assert.deepEqual([...(udp.replyPattern?.mask ?? [])], [0xff, 0x0f]);
    assert.equal(udp.requireReply, true);
    assert.deepEqual([dns.queryType, dns.name], ['MX', 'example.com']);
    assert.equal(smtp.heloName, 'smtpchecker.keepalived.org');
  });

  it('hex patterns: wildcards only where allowed, never a throw', () => {
    assert.equal(parseHexPattern(['0aXb'], false), undefined);
    assert.equal(parseHexPattern([], false), undefined);
    fc.assert(
      fc.property(fc.string({ maxLength: 12 }), (s) => {
        const p = parseHexPattern([s], true);
        if (p) assert.equal(p.bytes.length, Math.ceil(s.length / 2));
        else assert.ok(!/^[0-9a-fA-FxX]+$/.test(s));
      }),
    );
  });

  it('hex patterns: a lone digit ends its word as a low nibble, as keepalived reads them', () => {
    const p = parseHexPattern(['Ab12f', '3'], false);
    assert.deepEqual([...(p?.bytes ?? [])], [0xab, 0x12, 0x0f, 0x03]);
    const w = parseHexPattern(['1x', 'X'], true);
    assert.deepEqual([...(w?.bytes ?? [])], [0x10, 0x00]);
    assert.deepEqual([...(w?.mask ?? [])], [0xf0, 0xf0]);
  });
});

describe('FILE_CHECK and BFD_CHECK', () => {
  it('needs a known track_file and bfd_instance', () => {
    const text = [
      'track_file tf1 {',
      '  file /tmp/x',
      '}',
      'bfd_instance b1 {',
      '  neighbor_ip 192.0.2.50',
      '}',
    ].join('\n') + '\n' + vsWith([
      '    FILE_CHECK {', // 12
      '      track_file tf0',
      '      weight 5 foo',
      '    }', // 15
      '    FILE_CHECK {',
      '      track_file tf1',
      '      weight -20 reverse', // 18
      '    }',
      '    BFD_CHECK {',
      '      name nob', // 21
      '    }',
      '    BFD_CHECK {',
      '      name b1 b2', // 24
      '    }',
      '    BFD_CHECK {',
      '    }', // 27
      '    BFD_CHECK {',
      '      name b1',
      '    }',
      '',
    ].join('\n')).replace('protocol TCP', 'protocol UDP');
    const r = runLvs(text);
    assert.deepEqual(r.lines, [
      L(13, 'track_file tf0 not found'),
      L(14, 'unknown track file weight option foo - ignoring'),
      L(15, 'FILE_CHECK has no track_file specified - ignoring'),
      L(21, '([192.0.2.2]:udp:80) BFD_CHECK - BFD nob not configured'),
      L(24, '([192.0.2.2]:udp:80) BFD_CHECK - No or too many names specified - skipping checker'),
      L(27, '([192.0.2.2]:udp:80) No name has been specified for BFD_CHECKER - skipping'),
    ]);
    const cs = r.lvs.virtualServers[0]?.realServers[0]?.checkers ?? [];
    assert.deepEqual(cs.map((c) => c.type), ['FILE_CHECK', 'BFD_CHECK']);
    assert.ok(cs[0]?.type === 'FILE_CHECK');
    assert.deepEqual([cs[0].trackFile, cs[0].weight, cs[0].reverse], ['tf1', -20, true]);
  });

  it('reports track_file blocks without a file in the checker pass', () => {
    const r = runLvs('track_file TF_0 {\n}\n' + vsWith(''));
    assert.deepEqual(r.lines, [L(2, 'No file set for track_file TF_0 - ignoring')]);
  });
});

describe('MISC_CHECK scripts', () => {
  it('removes checkers without a path or with an unknown user', () => {
    const inner = [
      '    MISC_CHECK {', // 6
      '      misc_path /bin/false',
      '      user nosuchuser',
      '    }', // 9
      '    MISC_CHECK {',
      '    }', // 11
      '',
    ].join('\n');
    assert.deepEqual(runLvs(vsWith(inner), { files: { '/bin/false': '' } }).lines, [
      L(8, "Failed to set uid/gid for misc checker script '/bin/false' - removing"),
      L(11, 'No script path has been specified for MISC_CHECKER - skipping'),
    ]);
  });

  it('after a failed user, the script keywords are ignored but the common ones still checked', () => {
    const inner = '    MISC_CHECK {\n      misc_path /bin/false\n      user nosuchuser\n      misc_timeout A\n      retry nobody\n    }\n';
    assert.deepEqual(runLvs(vsWith(inner), { files: { '/bin/false': '' } }).lines, [
      L(8, "Failed to set uid/gid for misc checker script '/bin/false' - removing"),
      L(10, "invalid number 'nobody'"),
      L(10, "Invalid retry connection value 'nobody'"),
    ]);
  });

  it('an existing script without script security is a security violation (exit 6)', () => {
    const r = runLvs(vsWith('    MISC_CHECK {\n      misc_path "/bin/true arg"\n      misc_timeout 3\n      misc_dynamic\n    }\n'), { files: { '/bin/true': '' } });
    assert.deepEqual(r.lines, ['SECURITY VIOLATION - check scripts are being executed but script_security not enabled.']);
    assert.equal(r.exitCode, 6);
    const misc = r.lvs.virtualServers[0]?.realServers[0]?.checkers[0];
    assert.ok(misc?.type === 'MISC_CHECK');
    assert.deepEqual(misc.script.argv, ['/bin/true', 'arg']);
    assert.equal(misc.timeoutMs, 3000);
    assert.equal(misc.dynamic, true);
  });

  it('a missing script is not reported in a config test', () => {
    const r = runLvs(vsWith('    MISC_CHECK {\n      misc_path /nonexistent/check.sh\n    }\n'));
    assert.deepEqual(r.lines, []);
    assert.equal(r.exitCode, 0);
  });
});
