import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decodeEchoReply, encodeEchoRequest } from '../../../src/proto/icmp-echo.js';
import { parseIPv6 } from '../../../src/proto/inet-address.js';

test('ICMPv4 echo request id 0x1234 seq 1 "abcd", byte for byte', () => {
  const expected = [
    0x08, // type 8: echo request
    0x00, // code 0
    0x21, 0x04, // checksum
    0x12, 0x34, // identifier
    0x00, 0x01, // sequence number
    0x61, 0x62, 0x63, 0x64, // payload "abcd"
  ];
  assert.deepEqual([...encodeEchoRequest(4, 0x1234, 1, Buffer.from('abcd'))], expected);
});

test('ICMPv6 echo request: checksum 0 (kernel fills it) unless addresses are given', () => {
  const plain = encodeEchoRequest(6, 0x1234, 1, Buffer.from('abcd'));
  assert.deepEqual([...plain.subarray(0, 4)], [128, 0, 0, 0]);
  const summed = encodeEchoRequest(6, 0x1234, 1, Buffer.from('abcd'), {
    source: parseIPv6('2001:db8::1'),
    destination: parseIPv6('2001:db8::2'),
  });
  assert.equal(summed.readUInt16BE(2), 0x4d48);
});

test('echo replies decode; requests, short and corrupt messages are rejected', () => {
  const reply = encodeEchoRequest(4, 0x1234, 7, Buffer.from('abcd'));
  reply[0] = 0; // type 0: echo reply
  reply.writeUInt16BE(0x28fe, 2); // 0x20fe (request, seq 7) + 0x0800 for the type change
  const ok = decodeEchoReply(4, reply);
  assert.ok(ok.ok);
  assert.equal(ok.echo.identifier, 0x1234);
  assert.equal(ok.echo.sequence, 7);
  assert.equal(Buffer.from(ok.echo.payload).toString(), 'abcd');
  assert.deepEqual(decodeEchoReply(4, encodeEchoRequest(4, 1, 1, Buffer.alloc(0))), { ok: false, reason: 'not_echo_reply' });
  assert.deepEqual(decodeEchoReply(4, reply.subarray(0, 7)), { ok: false, reason: 'too_short' });
  const corrupt = Buffer.from(reply);
  corrupt[9] = 0;
  assert.deepEqual(decodeEchoReply(4, corrupt), { ok: false, reason: 'bad_checksum' });
  const v6 = Buffer.from([129, 0, 0, 0, 0, 5, 0, 6]);
  const r6 = decodeEchoReply(6, v6);
  assert.ok(r6.ok);
  assert.equal(r6.echo.sequence, 6);
});

test('property: the decoder never throws on arbitrary bytes', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 64 }), fc.constantFrom(4 as const, 6 as const), (bytes, family) => {
      const r = decodeEchoReply(family, bytes);
      assert.equal(typeof r.ok, 'boolean');
    }),
  );
});
