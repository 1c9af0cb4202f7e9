import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { buildRequest } from '../../../src/check/http/request.js';
import { ResponseReader } from '../../../src/check/http/response.js';
import { ChunkedFraming } from '../../../src/check/http/chunked.js';
import { compileUrl, judge } from '../../../src/check/http/verdict.js';
import { CheckError } from '../../../src/check/errors.js';

const md5 = (s: string): string => createHash('md5').update(s, 'latin1').digest('hex');

test('request bytes as captured from /usr/bin/genhash 2.2.7', () => {
  const r = (p: Parameters<typeof buildRequest>[0]): string => buildRequest(p).toString('latin1');
  assert.equal(r({ path: '/a/b', protocol: '1.0', address: '127.0.0.1', port: 18080 }), 'GET /a/b HTTP/1.0\r\nUser-Agent: KeepAliveClient\r\nHost: 127.0.0.1:18080\r\n\r\n');
  assert.equal(r({ path: '/x', protocol: '1.1', address: '::1', port: 18080, virtualhost: 'example.org' }), 'GET /x HTTP/1.1\r\nUser-Agent: KeepAliveClient\r\nConnection: close\r\nHost: example.org\r\n\r\n');
  assert.equal(r({ path: '/x', protocol: '1.0C', address: '::1', port: 18080 }), 'GET /x HTTP/1.0\r\nUser-Agent: KeepAliveClient\r\nConnection: close\r\nHost: [::1]:18080\r\n\r\n');
});

function read(chunks: string[], cap = 1 << 20, keep = 0): ResponseReader {
  const r = new ResponseReader({ bodyCapBytes: cap, keepBodyBytes: keep });
  for (const c of chunks) r.push(Buffer.from(c, 'latin1'));
  return r;
}

test('reader: Content-Length cuts the body and completes early', () => {
  const r = read(['HTTP/1.1 200 OK\r\nContent-Length: 5\r', '\n\r\nhel', 'lo EXTRA']);
  assert.equal(r.state, 'complete');
  assert.equal(r.statusCode, 200);
  assert.equal(r.digestHex(), md5('hello'));
});

test('reader: chunked body hashed raw like genhash, complete at the last chunk', () => {
  const body = '5\r\nhello\r\n3\r\nabc\r\n0\r\n\r\n';
  const r = read(['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n', body.slice(0, 7), body.slice(7)]);
  assert.equal(r.state, 'complete');
  assert.equal(r.digestHex(), 'ecdd74a37443d29673efa034ebc6741a'); // /usr/bin/genhash on this answer
});

test('reader: bare LF header never ends; garbage stays in header state; cap refuses endless bodies', () => {
  assert.equal(read(['HTTP/1.0 200 OK\n\nbody']).state, 'header');
  assert.equal(read(['x'.repeat(70_000)]).state, 'bad-header');
  const r = read(['HTTP/1.0 200 OK\r\n\r\n', 'y'.repeat(600), 'y'.repeat(600)], 1000);
  assert.equal(r.state, 'too-large');
  assert.equal(read(['\r\n\r\nbody']).digestHex(), '841a2d689ad86bd1611447453c22c6fc');
});

test('chunked framing: split anywhere, extensions, trailers, broken framing never completes', () => {
  const text = '4;ext=1\r\nwiki\r\n5\r\npedia\r\n0\r\nX-T: 1\r\n\r\n';
  for (let cut = 0; cut < text.length; cut++) {
    const f = new ChunkedFraming();
    const a = f.feed(Buffer.from(text.slice(0, cut)));
    const b = f.feed(Buffer.from(text.slice(cut)));
    assert.equal(a, false);
    assert.equal(b, true, `cut at ${cut}`);
  }
  assert.equal(new ChunkedFraming().feed(Buffer.from('zz\r\n0\r\n\r\n')), false);
});

test('verdict: status ranges, digests, regex and regex_no_match', () => {
  const base = { path: '/', digests: [], statusCodes: [], regexNoMatch: false };
  const ok = read(['HTTP/1.0 200 OK\r\n\r\nhello world'], 1 << 20, 1 << 20);
  assert.equal(judge(compileUrl(base), ok).ok, true);
  const r404 = judge(compileUrl(base), read(['HTTP/1.0 404 NF\r\n\r\n']));
  assert.equal(r404.ok ? '' : r404.failure, 'bad-status');
  assert.equal(judge(compileUrl({ ...base, statusCodes: [[404, 404], [500, 503]] }), read(['HTTP/1.0 404 NF\r\n\r\n'])).ok, true);
  const bad = judge(compileUrl({ ...base, digests: ['00000000000000000000000000000000'] }), read(['HTTP/1.0 200 OK\r\n\r\nhello']));
  assert.equal(bad.ok ? '' : bad.failure, 'bad-digest');
  assert.equal(judge(compileUrl({ ...base, digests: [md5('hello').toUpperCase()] }), read(['HTTP/1.0 200 OK\r\n\r\nhello'])).ok, true);
  assert.equal(judge(compileUrl({ ...base, regex: 'wor.d' }), read(['HTTP/1.0 200 OK\r\n\r\nhello world'], 1 << 20, 1 << 20)).ok, true);
  assert.equal(judge(compileUrl({ ...base, regex: 'wor.d', regexNoMatch: true }), read(['HTTP/1.0 200 OK\r\n\r\nhello world'], 1 << 20, 1 << 20)).ok, false);
  assert.equal(judge(compileUrl({ ...base, regex: 'WORLD', regexOptions: ['caseless'] }), read(['HTTP/1.0 200 OK\r\n\r\nhello world'], 1 << 20, 1 << 20)).ok, true);
  const garbage = judge(compileUrl(base), read(['garbage']));
  assert.equal(garbage.ok ? '' : garbage.failure, 'bad-response');
  assert.throws(() => compileUrl({ ...base, regex: '(' }), (e: unknown) => e instanceof CheckError && e.code === 'CHECK_BAD_REGEX');
});
