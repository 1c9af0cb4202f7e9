import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { getoptLong, GetoptError, type OptionSpec } from '../../../src/cli/getopt.js';

const SPECS: OptionSpec[] = [
  { id: 'file', short: 'f', long: 'use-file', arg: 'required' },
  { id: 'log', short: 'l', long: 'log-console', arg: 'none' },
  { id: 'nofork', short: 'n', long: 'dont-fork', arg: 'none' },
  { id: 'test', short: 't', long: 'config-test', arg: 'optional' },
  { id: 'dump', short: 'd', long: 'dump-conf', arg: 'none' },
  { id: 'detail', short: 'D', long: 'log-detail', arg: 'none' },
];

function ids(argv: string[]): string[] {
  return getoptLong(argv, SPECS).options.map((o) => (o.value === undefined ? o.id : `${o.id}=${o.value}`));
}

test('bundled short flags', () => {
  assert.deepEqual(ids(['-lnD']), ['log', 'nofork', 'detail']);
});

test('required argument glued, separate, or last in a bundle', () => {
  assert.deepEqual(ids(['-fa.conf']), ['file=a.conf']);
  assert.deepEqual(ids(['-f', 'a.conf']), ['file=a.conf']);
  assert.deepEqual(ids(['-lnf', 'a.conf']), ['log', 'nofork', 'file=a.conf']);
  assert.deepEqual(ids(['--use-file=a.conf']), ['file=a.conf']);
  assert.deepEqual(ids(['--use-file', 'a.conf']), ['file=a.conf']);
});

test('optional argument only when glued', () => {
  assert.deepEqual(ids(['-t', 'x']), ['test']);
  assert.deepEqual(getoptLong(['-t', 'x'], SPECS).operands, ['x']);
  assert.deepEqual(ids(['-tlog.txt']), ['test=log.txt']);
  assert.deepEqual(ids(['--config-test=log.txt']), ['test=log.txt']);
  assert.deepEqual(ids(['--config-test', 'x']), ['test']);
  // like glibc: -tf is -t with the log file "f", not -t -f
  assert.deepEqual(ids(['-tf']), ['test=f']);
});

test('unambiguous long prefixes', () => {
  assert.deepEqual(ids(['--use=a']), ['file=a']);
  assert.deepEqual(ids(['--dump']), ['dump']);
  assert.throws(() => ids(['--d']), (e: unknown) => e instanceof GetoptError && e.kind === 'ambiguous');
});

test('errors are typed', () => {
  const kind = (argv: string[]): string => {
    try {
      getoptLong(argv, SPECS);
      return 'none';
    } catch (e) {
      assert.ok(e instanceof GetoptError);
      return `${e.kind} ${e.option}`;
    }
  };
  assert.equal(kind(['-q']), 'unknown -q');
  assert.equal(kind(['--bogus']), 'unknown --bogus');
  assert.equal(kind(['-f']), 'missing-argument -f');
  assert.equal(kind(['--use-file']), 'missing-argument --use-file');
  assert.equal(kind(['--dont-fork=1']), 'unexpected-argument --dont-fork');
});

test('operands and --', () => {
  const r = getoptLong(['a', '-l', '--', '-n', 'b'], SPECS);
  assert.deepEqual(r.options.map((o) => o.id), ['log']);
  assert.deepEqual(r.operands, ['a', '-n', 'b']);
  assert.deepEqual(getoptLong(['-'], SPECS).operands, ['-']);
});

test('property: never throws anything but GetoptError', () => {
  const word = fc.oneof(fc.string(), fc.constantFrom('-', '--', '-f', '-t', '--use-file', '--config-test=', '-lnf', '--d'));
  fc.assert(
    fc.property(fc.array(word, { maxLength: 8 }), (argv) => {
      try {
        const r = getoptLong(argv, SPECS);
        for (const o of r.options) assert.ok(SPECS.some((s) => s.id === o.id));
      } catch (e) {
        if (!(e instanceof GetoptError)) throw e;
      }
    }),
  );
});
