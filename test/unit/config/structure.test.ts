/**
 * The structure pass against keepalived 2.2.7's block handling. Expected outputs were produced by
 * `keepalived -t` on the same text (see the comments); a small keyword table stands in for the
 * real domains so these tests do not depend on them.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatDiagnostic } from '../../../src/config/diagnostics.js';
import type { DomainEntry } from '../../../src/config/domains.js';
import { loadConfigWith } from '../../../src/config/pipeline.js';
import { block, list, values } from '../../../src/config/schema.js';
import { FakeConfigEnvironment } from '../../support/config-fake-env.js';

const MAIN = 't.conf';

const domains: DomainEntry[] = [
  { name: 'global', pass: 'global', keywords: { global_defs: block(values('router_id', 'notification_email_from')) } },
  { name: 'lvs', pass: 'checker', keywords: { virtual_server: block({ ...values('delay_loop'), real_server: block(values('weight')) }) } },
  {
    name: 'vrrp',
    pass: 'vrrp',
    keywords: { vrrp_instance: block({ ...values('state', 'virtual_router_id', 'interface'), virtual_ipaddress: list }) },
  },
  { name: 'bfd', pass: 'bfd', keywords: { bfd_instance: block(values('neighbor_ip')) } },
];

function check(text: string) {
  const env = new FakeConfigEnvironment({ files: { [MAIN]: text }, cwd: '/work' });
  const r = loadConfigWith(domains, MAIN, env);
  return { out: r.diagnostics.list.map(formatDiagnostic), result: r };
}

describe('structure pass', () => {
  it('prints structural errors in every pass, with (Line N) in the first and the file name after', () => {
    // keepalived: (Line 4) Extra '}' found / (Line 4) Unknown keyword '}' then the same with
    // "(t.conf: Line 4)" for the checker, vrrp and bfd passes.
    const { out } = check('global_defs {\n router_id a\n}\n}\n');
    const pass = (p: string) => [`(${p}Line 4) Extra '}' found`, `(${p}Line 4) Unknown keyword '}'`];
    assert.deepEqual(out, [...pass(''), ...pass('t.conf: '), ...pass('t.conf: '), ...pass('t.conf: ')]);
  });

  it('reports unknown keywords inside a block only in the pass that owns the block', () => {
    const { out } = check('global_defs {\n zz\n}\nvrrp_instance V {\n bogus 1\n}\n');
    assert.deepEqual(out, ["(Line 2) Unknown keyword 'zz'", "(t.conf: Line 5) Unknown keyword 'bogus'"]);
  });

  it('an unknown keyword with a block does not open it; its } closes the enclosing block', () => {
    // keepalived a.conf lines 5-14 (vrrp pass): bogus, unknownblk, Unexpected '{', a, state at top
    // level, then "Unknown keyword '}'" for the instance's own closing brace.
    const text = 'vrrp_instance VI_1 {\n  bogus 1\n  virtual_ipaddress {\n    192.0.2.1\n  }\n  unknownblk {\n    a\n  }\n  state MASTER\n}\n';
    const { out, result } = check(text);
    assert.deepEqual(out, [
      "(t.conf: Line 2) Unknown keyword 'bogus'",
      "(t.conf: Line 6) Unknown keyword 'unknownblk'",
      "(t.conf: Line 6) Unexpected '{' - ignoring",
      "(t.conf: Line 7) Unknown keyword 'a'",
      "(t.conf: Line 9) Unknown keyword 'state'",
      "(t.conf: Line 10) Unknown keyword '}'",
    ]);
    assert.deepEqual(result.diagnostics.exitCode, 5);
  });

  it("a missing '{' is reported at the next line, which is then parsed inside the block", () => {
    const { out } = check('vrrp_instance V\nzz11\nvirtual_router_id 5\n}\n');
    // global pass (vrrp_instance inactive: the next line is not '{' so it is read normally)
    assert.deepEqual(out.slice(0, 4), [
      "(Line 2) Unknown keyword 'zz11'",
      "(Line 3) Unknown keyword 'virtual_router_id'",
      "(Line 4) Extra '}' found",
      "(Line 4) Unknown keyword '}'",
    ]);
    // vrrp pass
    assert.deepEqual(out.slice(8, 11), [
      "(t.conf: Line 2) Missing '{' at beginning of configuration block",
      "(t.conf: Line 2) Unknown keyword 'zz11'",
      "(t.conf: Line 4) Extra '}' found",
    ]);
  });

  it("a stray '{' is ignored and unbalanced braces are summed up at the end", () => {
    const { out } = check('global_defs {\n}\n{\nzz10\nvrrp_instance V {\n');
    assert.deepEqual(out.slice(0, 3), ["(Line 3) Unexpected '{' - ignoring", "(Line 4) Unknown keyword 'zz10'", "There are 2 missing '}'s or extra '{'s"]);
    assert.equal(out.length, 12);
  });

  it('skips inactive blocks by counting braces, even on one line', () => {
    const { out, result } = check('virtual_server 192.0.2.1 80 { real_server 192.0.2.2 80 { weight 1 } } zz8\nzz9\n');
    assert.deepEqual(out.filter((l) => l.startsWith('(Line')), ["(Line 1) Unknown keyword 'zz8'", "(Line 2) Unknown keyword 'zz9'"]);
    assert.equal(out.length, 8);
    assert.equal(result.diagnostics.list.every((d) => d.span !== undefined), true);
  });

  it('keeps list lines raw and records where blocks end', () => {
    const env = new FakeConfigEnvironment({ files: { [MAIN]: 'vrrp_instance V {\n virtual_ipaddress {\n 192.0.2.1/24 dev eth0\n 192.0.2.2\n }\n state MASTER\n}\n' } });
    let seen: unknown;
    const spy: DomainEntry[] = domains.map((d) =>
      d.name === 'vrrp' ? { ...d, validate: (nodes) => { seen = nodes; return {}; } } : d,
    );
    const r = loadConfigWith(spy, MAIN, env);
    assert.deepEqual(r.diagnostics.list, []);
    const [inst] = seen as Array<{ keyword: string; args: string[]; endSpan: { line: number }; children: Array<{ keyword: string; lines?: Array<{ tokens: string[] }>; endSpan?: { line: number } }> }>;
    assert.equal(inst?.keyword, 'vrrp_instance');
    assert.deepEqual(inst?.args, ['V']);
    assert.equal(inst?.endSpan.line, 7);
    assert.deepEqual(inst?.children.map((c) => c.keyword), ['virtual_ipaddress', 'state']);
    assert.deepEqual(inst?.children[0]?.lines?.map((l) => l.tokens), [['192.0.2.1/24', 'dev', 'eth0'], ['192.0.2.2']]);
    assert.equal(inst?.children[0]?.endSpan?.line, 5);
  });
});
