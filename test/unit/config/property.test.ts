/**
 * Property tests: random and mutated configurations (corpus files with lines deleted, duplicated,
 * swapped, and braces, quotes, `$`, `~SEQ`, `@` and include lines inserted) never make the
 * pipeline throw or hang, give the same result twice, and every diagnostic carries a span.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { formatDiagnostic, type Diagnostic } from '../../../src/config/diagnostics.js';
import { loadConfig } from '../../../src/config/pipeline.js';
import { FakeConfigEnvironment } from '../../support/config-fake-env.js';

const CORPUS = '/work/shared/corpus/keepalived-conf';
const MAIN = '/etc/keepalived/keepalived.conf';

const BUILTIN_SEEDS = [
  'global_defs {\n router_id a\n}\nvrrp_instance VI_1 {\n state MASTER\n interface eth0\n virtual_router_id 5\n priority 100\n virtual_ipaddress {\n  192.0.2.1/24\n }\n}\n',
  'virtual_server 192.0.2.10 80 {\n delay_loop 6\n lb_algo rr\n protocol TCP\n real_server 198.51.100.1 80 {\n  weight 1\n  HTTP_GET {\n   url {\n    path /\n    status_code 200\n   }\n  }\n }\n}\n',
  '$IF=eth0\n~SEQ(i,1,3) vrrp_instance VI_$i { interface $IF }\n@node1 bfd_instance b { neighbor_ip 192.0.2.9 }\n',
];

/** Up to 60 corpus files, cut to windows of at most 80 lines (so one run stays fast). */
function seeds(): string[] {
  const list = join(CORPUS, 'configs.list');
  if (!existsSync(list)) return BUILTIN_SEEDS;
  const paths = readFileSync(list, 'utf8').split('\n').filter((p) => p.trim() !== '');
  const step = Math.max(1, Math.floor(paths.length / 60));
  const out = [...BUILTIN_SEEDS];
  for (let i = 0; i < paths.length; i += step) {
    try {
      const text = readFileSync(join(CORPUS, paths[i] ?? ''), 'latin1');
      out.push(text.split('\n').slice(0, 80).join('\n'));
    } catch {
      /* a listed file that cannot be read is simply not a seed */
    }
  }
  return out;
}

const SNIPPETS = [
  '{', '}', '{ }', '"', '"a b', "'", '$', '${', '${X}', '$X=$X', '$X=${Y}', '$Y=$X', '$M= \\', '\\', '$M',
  '~SEQ(i,1,3) x$i', '~SEQ(i,1,30) ~SEQ(j,1,30) @nope y', '~SEQ(i,1,200) x$i', '~LST({a,b},{1,2}) $a$b', '~SEQ(', '~LST(x', '~SEQx(h,0x1,0x2) {',
  '@node1 zz', '@^node1 zz', '@', '@^', 'include other.conf', 'include keepalived.conf', 'include *.nope', 'includea nothing{a,b}/*',
  'includer x', 'include', '#', '!', '\\#', '${_RANDOM 5}', '${_PWD}', '${_INSTANCE}', '${_HASH}', '${_BANG',
  'vrrp_instance', 'virtual_server', 'real_server 192.0.2.1 80 {', 'global_defs {', 'HTTP_GET {', 'url {', 'path',
  'virtual_ipaddress {', 'track_script {', 'bfd_instance', 'vrrp_script s {', 'script', '\t', ' ', 'x'.repeat(1500),
];

type Mutation =
  | { op: 'delete'; at: number }
  | { op: 'dup'; at: number }
  | { op: 'swap'; at: number; to: number }
  | { op: 'insert'; at: number; text: string }
  | { op: 'splice'; at: number; col: number; text: string };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ op: fc.constant('delete' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('dup' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('swap' as const), at: fc.nat(), to: fc.nat() }),
  fc.record({ op: fc.constant('insert' as const), at: fc.nat(), text: fc.oneof(fc.constantFrom(...SNIPPETS), fc.string({ maxLength: 20 })) }),
  fc.record({ op: fc.constant('splice' as const), at: fc.nat(), col: fc.nat(), text: fc.constantFrom(...SNIPPETS) }),
);

function mutate(text: string, ms: readonly Mutation[]): string {
  const lines = text.split('\n');
  for (const m of ms) {
    const at = lines.length === 0 ? 0 : m.at % lines.length;
    if (m.op === 'delete') lines.splice(at, 1);
    else if (m.op === 'dup') lines.splice(at, 0, lines[at] ?? '');
    else if (m.op === 'swap') {
      const to = lines.length === 0 ? 0 : m.to % lines.length;
      const a = lines[at] ?? '';
      lines[at] = lines[to] ?? '';
      lines[to] = a;
    } else if (m.op === 'insert') lines.splice(at, 0, m.text);
    else {
      const line = lines[at] ?? '';
      const col = line.length === 0 ? 0 : m.col % line.length;
      lines[at] = line.slice(0, col) + m.text + line.slice(col);
    }
  }
  return lines.join('\n');
}

function checkRun(text: string): void {
  const make = () =>
    new FakeConfigEnvironment({
      files: { [MAIN]: text, '/etc/keepalived/other.conf': 'vrrp_instance X {\n}\n' },
      interfaces: ['eth0', 'eth1'],
      seed: 7,
    });
  const r = loadConfig(MAIN, make());
  for (const d of r.diagnostics.list) assertSpan(d);
  const again = loadConfig(MAIN, make());
  assert.deepEqual(again.diagnostics.list.map(formatDiagnostic), r.diagnostics.list.map(formatDiagnostic));
}

function assertSpan(d: Diagnostic): void {
  assert.ok(d.span, `no span: ${d.message}`);
  assert.ok(typeof d.span.file === 'string' && d.span.file.length > 0, `bad file in span: ${d.message}`);
  // Line 0 is keepalived's own numbering of the first chunk of an over-long first line (it prints
  // that message without a location); every other diagnostic points at a real line.
  assert.ok(Number.isInteger(d.span.line) && d.span.line >= 0, `bad line in span: ${d.message}`);
}

describe('config pipeline properties', { timeout: 60_000 }, () => {
  const corpus = seeds();

  it('mutated corpus configurations never throw or hang, and every diagnostic has a span', () => {
    const seedArb = fc.nat({ max: corpus.length - 1 }).map((i) => corpus[i] ?? '');
    fc.assert(
      fc.property(seedArb, fc.array(mutation, { minLength: 1, maxLength: 8 }), (seed, ms) => checkRun(mutate(seed, ms))),
      { numRuns: 9000, seed: 20261125 },
    );
  });

  it('random text made of config fragments never throws', () => {
    const fragment = fc.oneof(fc.constantFrom(...SNIPPETS), fc.string({ maxLength: 12 }), fc.constantFrom('\n', ' ', '{', '}', '"', '$', '~', '@'));
    fc.assert(fc.property(fc.array(fragment, { maxLength: 60 }), (parts) => checkRun(parts.join(''))), {
      numRuns: 8000,
      seed: 4242,
    });
  });

  it('arbitrary unicode and binary-ish text never throws', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 400 }), (s) => checkRun(s)), { numRuns: 5000, seed: 99 });
  });
});
