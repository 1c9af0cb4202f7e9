/** FILE_CHECK: strtol reading, weight 0 / weight W / reverse / dynamic semantics, via a fake reader. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createFileCheckProbe, evaluateTrackFile, readTrackFileValue, strtolBase0, INT32_MIN } from '../../../../src/check/probes/file-check.js';
import type { FileChecker } from '../../../../src/config/model/lvs.js';
import { signal, span } from './helpers.js';

const enc = (s: string): Uint8Array => Buffer.from(s, 'latin1');

describe('track file value', () => {
  it('reads like strtol(text, NULL, 0)', () => {
    const cases: [string, bigint][] = [
      ['42\n', 42n], ['  -7', -7n], ['+3x', 3n], ['0x1F', 31n], ['010', 8n], ['08', 0n], ['abc', 0n], ['', 0n], ['0x', 0n], ['\t\n 12 34', 12n],
    ];
    for (const [text, value] of cases) assert.equal(strtolBase0(text), value, JSON.stringify(text));
    assert.equal(strtolBase0('99999999999999999999'), undefined, 'ERANGE');
  });

  it('missing or empty file is 0; out-of-int values are ignored; only 127 bytes are read', () => {
    assert.deepEqual(readTrackFileValue(undefined), { ok: true, value: 0 });
    assert.deepEqual(readTrackFileValue(enc('')), { ok: true, value: 0 });
    assert.deepEqual(readTrackFileValue(enc('2147483648')), { ok: true, value: 2147483648 });
    assert.equal(readTrackFileValue(enc('2147483649')).ok, false);
    assert.equal(readTrackFileValue(enc('-2147483649')).ok, false);
    assert.deepEqual(readTrackFileValue(enc(' '.repeat(126) + '55')), { ok: true, value: 5 });
    assert.deepEqual(readTrackFileValue(enc('5\0' + '9')), { ok: true, value: 5 });
  });
});

describe('FILE_CHECK semantics', () => {
  const cfg = (weight: number, reverse = false, dynamic = false) => ({ weight, reverse, dynamic });
  it('weight 0: non-zero is down, zero up; reverse swaps', () => {
    assert.equal(evaluateTrackFile(0, cfg(0), 1).ok, true);
    assert.equal(evaluateTrackFile(3, cfg(0), 1).ok, false);
    assert.equal(evaluateTrackFile(-1, cfg(0), 1).ok, false);
    assert.equal(evaluateTrackFile(0, cfg(0, true), 1).ok, false);
    assert.equal(evaluateTrackFile(5, cfg(0, true), 1).ok, true);
  });
  it('weight W: down only when value*W reaches INT_MIN; reverse negates', () => {
    assert.equal(evaluateTrackFile(-254, cfg(1), 1).ok, true, 'a large negative status is not a fault by itself');
    assert.equal(evaluateTrackFile(INT32_MIN, cfg(1), 1).ok, false);
    assert.equal(evaluateTrackFile(-2, cfg(2147483647), 1).ok, false, 'product clamped to INT_MIN');
    assert.equal(evaluateTrackFile(2147483648, cfg(1, true), 1).ok, false, 'reverse of 2^31 is INT_MIN');
    assert.equal(evaluateTrackFile(-1, cfg(1), 1).ok, true);
  });
  it('dynamic: weight = configured weight + status, never below 0', () => {
    const weightOf = (r: ReturnType<typeof evaluateTrackFile>): number | undefined => (r.ok ? r.weight : -1);
    assert.equal(weightOf(evaluateTrackFile(5, cfg(2, false, true), 10)), 20);
    assert.equal(weightOf(evaluateTrackFile(5, cfg(2, true, true), 10)), 0);
    assert.equal(weightOf(evaluateTrackFile(5, cfg(2), 10)), undefined, 'no weight without dynamic');
  });
});

describe('FILE_CHECK probe', () => {
  it('reads through the port; an invalid number keeps the previous value', async () => {
    let content: string | undefined = '0';
    const reads: [string, number][] = [];
    const checker: FileChecker = { type: 'FILE_CHECK', span, trackFile: 'tf', dynamic: false, weight: 0, reverse: false };
    const probe = createFileCheckProbe(checker, {
      path: '/run/x', realServerWeight: 1,
      readFile: (p, max) => { reads.push([p, max]); return Promise.resolve(content === undefined ? undefined : enc(content)); },
    });
    assert.equal((await probe(signal())).ok, true);
    content = '1';
    assert.equal((await probe(signal())).ok, false);
    content = '99999999999';
    assert.equal((await probe(signal())).ok, false, 'invalid number ignored: still 1');
    content = undefined;
    assert.equal((await probe(signal())).ok, true, 'file gone: 0');
    assert.deepEqual(reads[0], ['/run/x', 127]);
  });
});
