import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Md5 } from '../../../src/check/http/md5.js';
import { findHeaderValue, parseStatusCode } from '../../../src/check/http/header-scan.js';
import { ResponseReader } from '../../../src/check/http/response.js';
import { seededRng } from '../../scenario/check/manual-clock.js';

test('md5: RFC 1321 vectors, and any split of any length equals node:crypto', () => {
  const m = new Md5();
  const vectors: [string, string][] = [
    ['', 'd41d8cd98f00b204e9800998ecf8427e'],
    ['a', '0cc175b9c0f1b6a831c399e269772661'],
    ['abc', '900150983cd24fb0d6963f7d28e17f72'],
    ['message digest', 'f96b697d7cb7938d525a2f31aaf161d0'],
    ['12345678901234567890123456789012345678901234567890123456789012345678901234567890', '57edf4a22be3c955ac49da2e2107b67a'],
  ];
  for (const [text, hex] of vectors) {
    m.reset();
    m.update(Buffer.from(text, 'latin1'));
    assert.equal(m.hex(), hex);
    assert.ok(m.matchesHex(hex));
    assert.ok(!m.matchesHex(hex.replace(/^./, (c) => (c === '0' ? '1' : '0'))));
  }
  const rng = seededRng(5);
  for (let n = 0; n < 300; n += 7) {
    const bytes = Buffer.from(Array.from({ length: n }, () => Math.floor(rng() * 256)));
    m.reset();
    for (let i = 0; i < n; ) {
      const k = 1 + Math.floor(rng() * 80);
      m.update(bytes.subarray(i, i + k));
      i += k;
    }
    assert.equal(m.hex(), createHash('md5').update(bytes).digest('hex'), `length ${n}`);
  }
});

test('header scan: status line and fields, as the former regexes read them', () => {
  const h = (s: string) => Buffer.from(s, 'latin1');
  const code = (s: string) => parseStatusCode(h(s), s.length);
  assert.equal(code('HTTP/1.1 200 OK'), 200);
  assert.equal(code('HTTP/1.0   404'), 404);
  assert.equal(code('HTTP/2.0 5xx'), undefined);
  assert.equal(code('HTTP/1.1200 OK'), undefined);
  assert.equal(code('http/1.1 200 OK'), undefined);
  assert.equal(code('HTTP/1. 200'), undefined);
  const name = h('content-length:');
  const te = h('transfer-encoding:');
  const head = 'HTTP/1.1 200 OK\r\nX-Content-Length: 5\r\nContent-LENGTH:\t 42\r\nTransfer-Encoding: chunked';
  assert.equal(findHeaderValue(h(head), head.length, name, 'digits'), 42);
  assert.equal(findHeaderValue(h(head), head.length, te, 'chunked'), 0);
  const bad = 'HTTP/1.1 200 OK\r\nContent-Length: x\r\nContent-Length: 7';
  assert.equal(findHeaderValue(h(bad), bad.length, name, 'digits'), 7, 'a later valid line counts');
  assert.equal(findHeaderValue(h('HTTP/1.1 200 OK'), 15, name, 'digits'), -1);
});

test('response reader: reset() makes a used reader equal to a new one', () => {
  const r = new ResponseReader({ bodyCapBytes: 1_000, keepBodyBytes: 0 });
  const answer = Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello', 'latin1');
  for (let round = 0; round < 3; round++) {
    r.reset();
    assert.equal(r.push(answer.subarray(0, 10)), 'header');
    assert.equal(r.push(answer.subarray(10)), 'complete');
    assert.equal(r.statusCode, 200);
    assert.ok(r.headerSeen);
    assert.equal(r.header, undefined, 'the header is copied only for onHeader');
    assert.ok(r.digestIn([createHash('md5').update('hello').digest('hex')]));
    assert.equal(r.digestHex(), createHash('md5').update('hello').digest('hex'));
  }
});
