/** DNS codec: byte-exact query vectors, answer decoding with compression, hostile inputs. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decodeDnsHeader, decodeDnsMessage, DNS_TYPES, encodeDnsQuery } from '../../../../src/proto/dns-message.js';
import { decodeName, encodeName } from '../../../../src/proto/dns-name.js';
import { CodecError } from '../../../../src/proto/codec-error.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

describe('DNS query encoding', () => {
  it('SOA for the root: header with RD, one question, name = zero byte', () => {
    const q = encodeDnsQuery({ id: 0xbeef, name: '.', type: DNS_TYPES.SOA });
    assert.equal(hex(q),
      'beef' +      // id
      '0100' +      // flags: QR=0 opcode=0 RD=1
      '0001' +      // qdcount
      '0000' + '0000' + '0000' + // an/ns/ar
      '00' +        // root name
      '0006' +      // type SOA
      '0001');      // class IN
  });

  it('A for example.com (with and without trailing dot)', () => {
    const expected = '1234' + '0100' + '0001' + '000000000000' + '076578616d706c6503636f6d00' + '0001' + '0001';
    assert.equal(hex(encodeDnsQuery({ id: 0x1234, name: 'example.com', type: DNS_TYPES.A })), expected);
    assert.equal(hex(encodeDnsQuery({ id: 0x1234, name: 'example.com.', type: DNS_TYPES.A })), expected);
    assert.equal(hex(encodeName('')), '00');
  });

  it('rejects names that cannot be encoded with CodecError', () => {
    for (const bad of ['a..b', `${'x'.repeat(64)}.com`, Array.from({ length: 60 }, () => 'abcd').join('.')]) {
      assert.throws(() => encodeName(bad), CodecError, bad);
    }
    assert.throws(() => encodeDnsQuery({ id: 70000, name: '.', type: 1 }), CodecError);
  });
});

describe('DNS answer decoding', () => {
  // Response to "A example.com": id 0x1234, flags 8180 (QR RD RA), 1 question, 2 answers
  // (A 192.0.2.7 with a pointer to offset 12, CNAME www -> pointer), 0, 0.
  const answer = Buffer.from(
    '1234' + '8180' + '0001' + '0002' + '0000' + '0000' +
    '076578616d706c6503636f6d00' + '0001' + '0001' +               // question at offset 12
    'c00c' + '0001' + '0001' + '0000012c' + '0004' + 'c0000207' +  // A 192.0.2.7, TTL 300
    '03777777c00c' + '0005' + '0001' + '0000003c' + '0002' + 'c00c', // www.example.com CNAME example.com
    'hex');

  it('decodes header flags and counts', () => {
    const h = decodeDnsHeader(answer);
    assert.ok(h.ok);
    assert.deepEqual(h.value, {
      id: 0x1234, isResponse: true, opcode: 0, authoritative: false, truncated: false, recursionDesired: true,
      recursionAvailable: true, rcode: 0, questionCount: 1, answerCount: 2, authorityCount: 0, additionalCount: 0,
    });
  });

  it('decodes questions and records with compressed names', () => {
    const m = decodeDnsMessage(answer);
    assert.ok(m.ok, JSON.stringify(m));
    assert.deepEqual(m.value.questions, [{ name: 'example.com', type: 1, class: 1 }]);
    assert.equal(m.value.answers.length, 2);
    assert.equal(m.value.answers[0]?.text, '192.0.2.7');
    assert.equal(m.value.answers[0]?.ttlS, 300);
    assert.equal(m.value.answers[1]?.name, 'www.example.com');
    assert.equal(m.value.answers[1]?.text, 'example.com');
  });

  it('rejects truncations at every length with a typed reason', () => {
    for (let len = 0; len < answer.length; len++) {
      const m = decodeDnsMessage(answer.subarray(0, len));
      assert.equal(m.ok, false, `length ${len}`);
    }
  });

  it('rejects pointer loops and counts that promise too much', () => {
    const loop = Buffer.from('0000' + '8000' + '0001' + '0000' + '0000' + '0000' + 'c00c' + '0001' + '0001', 'hex');
    assert.deepEqual(decodeDnsMessage(loop), { ok: false, reason: 'bad-name', at: 12 });
    assert.equal(decodeName(Buffer.from('c000', 'hex'), 0).ok, false);
    const many = Buffer.from('0000' + '8000' + 'ffff' + 'ffff' + '0000' + '0000', 'hex');
    assert.deepEqual(decodeDnsMessage(many), { ok: false, reason: 'too-many-records', at: 4 });
  });

  it('never throws on arbitrary bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 600 }), (bytes) => {
      const m = decodeDnsMessage(bytes);
      assert.equal(typeof m.ok, 'boolean');
    }), { numRuns: 2_000 });
  });

  it('a query round-trips through the decoder', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 0xffff }), fc.array(fc.stringMatching(/^[a-z0-9-]{1,20}$/), { maxLength: 5 }), (id, labels) => {
      const name = labels.length ? labels.join('.') : '.';
      const m = decodeDnsMessage(encodeDnsQuery({ id, name, type: DNS_TYPES.MX }));
      assert.ok(m.ok);
      assert.equal(m.value.header.id, id);
      assert.equal(m.value.header.isResponse, false);
      assert.deepEqual(m.value.questions, [{ name, type: 15, class: 1 }]);
    }));
  });
});
