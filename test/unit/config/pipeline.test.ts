/**
 * The pipeline: pass order, merging of domain messages with structural ones, aborts (exit 2 and 6),
 * missing main file, and robustness against a throwing domain.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigErrorClass, configTestExitCode, formatDiagnostic } from '../../../src/config/diagnostics.js';
import type { DomainEntry } from '../../../src/config/domains.js';
import { loadConfig, loadConfigWith, MISSING_PARAMETER_PREFIX } from '../../../src/config/pipeline.js';
import { block, values } from '../../../src/config/schema.js';
import { FakeConfigEnvironment } from '../../support/config-fake-env.js';

const MAIN = 'k.conf';

function env(text: string, files: Record<string, string> = {}) {
  return new FakeConfigEnvironment({ files: { [MAIN]: text, ...files }, cwd: '/work' });
}

/** Toy domains: 'thing' (checker pass) reports "bad value" for `val bad` and a post-parse note. */
function toyDomains(order: string[] = []): DomainEntry[] {
  return [
    { name: 'global', pass: 'global', keywords: { global_defs: block(values('router_id')) }, validate: () => { order.push('global'); return {}; } },
    {
      name: 'thing',
      pass: 'checker',
      keywords: { thing: block(values('val', 'path')) },
      validate: (nodes, ctx) => {
        order.push('checker');
        for (const n of nodes) {
          for (const c of n.children ?? []) {
            if (c.keyword === 'val' && c.args[0] === 'bad') ctx.report(ConfigErrorClass.GeneralError, 'bad value', c.span);
            if (c.keyword === 'path' && c.args.length === 0) {
              ctx.report(ConfigErrorClass.MissingParameter, `${MISSING_PARAMETER_PREFIX} \`path\` is missing a parameter after keyword \`path\` at word position 2`, c.span);
            }
          }
          ctx.report(ConfigErrorClass.Warning, `(${n.args[0] ?? ''}) post-parse note`, n.span, 'none');
        }
        return {};
      },
    },
    { name: 'v', pass: 'vrrp', keywords: { vrrp_instance: block(values('state')) }, validate: () => { order.push('vrrp'); return {}; } },
    { name: 'b', pass: 'bfd', keywords: { bfd_instance: block(values('neighbor_ip')) }, validate: () => { order.push('bfd'); return {}; } },
  ];
}

describe('pipeline', () => {
  it("runs the domains in keepalived's pass order", () => {
    const order: string[] = [];
    loadConfigWith(toyDomains(order), MAIN, env('thing a {\n}\n'));
    assert.deepEqual(order, ['global', 'checker', 'vrrp', 'bfd']);
  });

  it('merges domain messages by line with the structural ones; post-parse messages come last', () => {
    const r = loadConfigWith(toyDomains(), MAIN, env('thing a {\n val bad\n zz\n}\n{\n'));
    const checkerPass = r.diagnostics.list.map(formatDiagnostic).slice(2, 7);
    assert.deepEqual(checkerPass, [
      '(k.conf: Line 2) bad value',
      "(k.conf: Line 3) Unknown keyword 'zz'",
      "(k.conf: Line 5) Unexpected '{' - ignoring",
      "There are 1 missing '}'s or extra '{'s",
      '(a) post-parse note',
    ]);
  });

  it('stops at once after a missing-parameter message (keepalived exits 2)', () => {
    const order: string[] = [];
    const r = loadConfigWith(toyDomains(order), MAIN, env('thing a {\n path\n val bad\n zz\n}\n'));
    assert.equal(r.abortExitCode, 2);
    assert.deepEqual(order, ['global', 'checker']);
    const last = r.diagnostics.list[r.diagnostics.list.length - 1];
    assert.ok(last?.message.startsWith(MISSING_PARAMETER_PREFIX));
    assert.equal(r.diagnostics.list.some((d) => d.message === 'bad value'), false);
  });

  it('stops after the first pass when an include check fails (keepalived exits 6)', () => {
    const order: string[] = [];
    const r = loadConfigWith(toyDomains(order), MAIN, env('includew nothing*.conf\nzz\n'));
    assert.equal(r.abortExitCode, 6);
    assert.deepEqual(order, ['global']);
    assert.deepEqual(r.diagnostics.list.map(formatDiagnostic), ["(Line 1) No config files matched 'nothing*.conf'.", "(Line 2) Unknown keyword 'zz'"]);
  });

  it('with all-config, a missing include stops keepalived after the first pass (exit 6)', () => {
    const plain = loadConfigWith(toyDomains(), MAIN, env('include nothere.conf\n'));
    assert.equal(plain.abortExitCode, undefined);
    assert.equal(configTestExitCode(plain.diagnostics.list), 0);
    const all = loadConfigWith(toyDomains(), MAIN, env('include nothere.conf\n'), { allConfig: true });
    assert.equal(all.abortExitCode, 6);
    assert.deepEqual(all.diagnostics.list.map(formatDiagnostic), ["(Line 1) Config files missing 'nothere.conf'."]);
  });

  it('a missing main file is a note (exit 0) unless all-config is asked (exit 4)', () => {
    const e = env('');
    const r = loadConfigWith(toyDomains(), '/nonexistent.conf', e);
    assert.deepEqual(r.notes, ["Config files missing '/nonexistent.conf'."]);
    assert.equal(configTestExitCode(r.diagnostics.list), 0);
    const all = loadConfigWith(toyDomains(), '/nonexistent.conf', e, { allConfig: true });
    assert.equal(all.diagnostics.exitCode, 4);
  });

  it('skips the body of a block its domain rejects, as keepalived handlers do', () => {
    // keepalived: `virtual_server 10.9.200.2${IP2} 86 {` -> "Invalid virtual server IP address
    // 10.9.200.2$ - skipping", the '{ IP2 }' is skipped, then "Unknown keyword '86'".
    let seen: readonly { args: readonly string[]; children?: readonly unknown[] }[] = [];
    const domains: DomainEntry[] = toyDomains().map((d) =>
      d.name === 'thing'
        ? { ...d, skipsBlock: (_kw, args) => args[0] === 'bad', validate: (nodes) => { seen = nodes; return {}; } }
        : d,
    );
    const r = loadConfigWith(domains, MAIN, env('thing bad{X} 86 {\n val 1\n}\n'));
    const checkerPass = r.diagnostics.list.map(formatDiagnostic).slice(4, 8);
    assert.deepEqual(checkerPass, [
      "(k.conf: Line 1) Unknown keyword '86'",
      "(k.conf: Line 1) Unexpected '{' - ignoring",
      "(k.conf: Line 2) Unknown keyword 'val'",
      "(k.conf: Line 3) Unknown keyword '}'",
    ]);
    assert.deepEqual(seen.map((n) => [n.args, n.children?.length]), [[['bad'], 0]]);
  });

  it('returns the AST of every pass in file order', () => {
    const r = loadConfigWith(toyDomains(), MAIN, env('vrrp_instance V {\n state BACKUP\n}\nglobal_defs {\n router_id a\n}\nthing t {\n val 1\n}\n'));
    assert.deepEqual(r.ast?.nodes.map((n) => `${n.keyword}:${n.span.line}:${n.children?.map((c) => c.keyword).join(',') ?? ''}`), [
      'vrrp_instance:1:state',
      'global_defs:4:router_id',
      'thing:7:val',
    ]);
    assert.deepEqual(r.ast?.files, [MAIN]);
  });

  it('turns an exception in a domain into a diagnostic', () => {
    const boom: DomainEntry[] = [
      { name: 'global', pass: 'global', keywords: { global_defs: block({}) }, validate: () => { throw new TypeError('oops'); } },
    ];
    const r = loadConfigWith(boom, MAIN, env('global_defs {\n}\n'));
    assert.match(r.diagnostics.list[0]?.message ?? '', /internal error in the global configuration: TypeError: oops/);
  });

  it('uses the config id option and the short host name by default', () => {
    const text = '@node1 zz1\n@other zz2\n';
    assert.equal(loadConfigWith(toyDomains(), MAIN, env(text)).configId, 'node1');
    const r = loadConfigWith(toyDomains(), MAIN, env(text), { configId: 'other' });
    assert.equal(r.diagnostics.list[0]?.message, "Unknown keyword 'zz2'");
  });

  it('runs the real domains on a small valid configuration', () => {
    const text = 'global_defs {\n router_id node1\n}\nvrrp_instance VI_1 {\n state BACKUP\n interface eth0\n virtual_router_id 51\n priority 100\n virtual_ipaddress {\n  192.0.2.100/24\n }\n}\n';
    const r = loadConfig(MAIN, env(text));
    assert.deepEqual(r.diagnostics.list.map(formatDiagnostic), []);
    assert.ok('global' in r.model && 'vrrp' in r.model);
  });
});
