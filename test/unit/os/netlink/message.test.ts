import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AttributeReader, attr, attrString, attrU16, attrU32, decodeAttributes,
} from '../../../../src/os/linux/netlink/attributes.js';
import {
  decodeAck, decodeDone, decodeMessages, encodeAck, encodeMessage,
} from '../../../../src/os/linux/netlink/message.js';
import { NetlinkDecodeError } from '../../../../src/os/linux/netlink/errors.js';

import { vec as hex } from '../../../support/hex-vector.js';

test('nlmsghdr encodes length, type, flags, seq, pid in host order and pads to 4', () => {
  const m = encodeMessage({ type: 22, flags: 0x301, seq: 0x01020304 }, Buffer.from([1, 2, 3]));
  assert.deepEqual(m, hex(`
    13000000   // nlmsg_len 19 (16 + 3, padding not counted)
    1600       // nlmsg_type RTM_GETADDR
    0103       // nlmsg_flags NLM_F_REQUEST|NLM_F_DUMP
    04030201   // nlmsg_seq
    00000000   // nlmsg_pid 0
    010203 00  // payload + 1 pad byte`));
});

test('a datagram holding several messages is split at 4-byte boundaries', () => {
  const a = encodeMessage({ type: 16, flags: 2, seq: 7 }, Buffer.from([9]));
  const b = encodeMessage({ type: 3, flags: 2, seq: 7 }, Buffer.alloc(4));
  const msgs = decodeMessages(Buffer.concat([a, b]));
  assert.equal(msgs.length, 2);
  assert.equal(msgs[0]?.type, 16);
  assert.deepEqual(msgs[0]?.payload, Buffer.from([9]));
  assert.equal(msgs[1]?.type, 3);
});

test('nlmsg_len beyond the datagram is a typed decode error', () => {
  const m = encodeMessage({ type: 16, flags: 0, seq: 1 }, Buffer.alloc(4));
  m.writeUInt32LE(200, 0);
  assert.throws(() => decodeMessages(m), (e: unknown) => e instanceof NetlinkDecodeError && e.code === 'NETLINK_MALFORMED');
  assert.throws(() => decodeMessages(Buffer.alloc(5)), NetlinkDecodeError);
});

test('nlattr: header, payload, padding; nested; last occurrence wins', () => {
  assert.deepEqual(attrU16(1, 0x0203), hex('0600 0100 0302 0000'));  // len 6, type 1, u16 LE, 2 pad
  assert.deepEqual(attrString(3, 'd0'), hex('0700 0300 643000 00')); // len 7, "d0\0", 1 pad
  const run = Buffer.concat([attrU32(4, 1), attrU32(4, 2), attr(5, Buffer.alloc(0))]);
  const r = AttributeReader.of(run);
  assert.equal(r.u32(4), 2);
  assert.equal(r.all(4).length, 2);
  assert.deepEqual(r.bytes(5), Buffer.alloc(0));
  assert.equal(r.u32(9), undefined);
});

test('attribute shorter than its type needs, or overrunning, is a typed error', () => {
  assert.throws(() => AttributeReader.of(attrU16(4, 1)).u32(4), NetlinkDecodeError);
  assert.throws(() => decodeAttributes(hex('0900 0100 0000 0000')), NetlinkDecodeError);
  assert.throws(() => decodeAttributes(hex('0300 0100')), NetlinkDecodeError);
});

test('NLMSG_ERROR with errno 0 is an ACK', () => {
  // nlmsghdr(len 36, type 2, flags CAPPED 0x100, seq 5), error 0, original header
  const ack = decodeMessages(hex(`
    24000000 0200 0001 05000000 00000000
    00000000
    28000000 1400 0506 05000000 00000000`));
  const a = decodeAck(ack[0]!);
  assert.equal(a.errno, 0);
  assert.equal(a.request.type, 20);
  assert.equal(a.request.length, 40);
});

test('NLMSG_ERROR with extended ACK: errno, message and offset', () => {
  const d = hex(`
    3c000000 0200 0003 09000000 00000000   // nlmsghdr: len 60, NLMSG_ERROR, CAPPED|ACK_TLVS, seq 9
    efffffff                               // error -17 (EEXIST)
    28000000 1400 0506 09000000 00000000   // the request's header only (capped)
    1000 0100 616464722065786973747300     // NLMSGERR_ATTR_MSG "addr exists\\0" (len 16)
    0800 0200 18000000                     // NLMSGERR_ATTR_OFFS 24`);
  const a = decodeAck(decodeMessages(d)[0]!);
  assert.equal(a.errno, 17);
  assert.equal(a.extack.message, 'addr exists');
  assert.equal(a.extack.offset, 24);
});

test('uncapped NLMSG_ERROR skips the echoed request before the TLVs', () => {
  const req = encodeMessage({ type: 20, flags: 5, seq: 3 }, Buffer.alloc(8, 0xaa));
  const tlv = attrString(1, 'bad');
  const body = Buffer.concat([hex('eaffffff'), req, tlv]);  // -22 EINVAL
  const msg = encodeMessage({ type: 2, flags: 0x200, seq: 3 }, body);
  const a = decodeAck(decodeMessages(msg)[0]!);
  assert.equal(a.errno, 22);
  assert.equal(a.extack.message, 'bad');
});

test('encodeAck (fake kernel) round-trips through decodeAck', () => {
  const req = { length: 40, type: 20, flags: 5, seq: 77, pid: 0 };
  const a = decodeAck(decodeMessages(encodeAck(req, 19, 'no device'))[0]!);
  assert.deepEqual([a.errno, a.extack.message, a.request.seq], [19, 'no device', 77]);
});

test('NLMSG_DONE carries the dump error', () => {
  const ok = decodeDone(decodeMessages(hex('14000000 0300 0200 01000000 00000000 00000000'))[0]!);
  assert.equal(ok.errno, 0);
  const bad = decodeDone(decodeMessages(hex('14000000 0300 0200 01000000 00000000 f0ffffff'))[0]!);
  assert.equal(bad.errno, 16);  // EBUSY
});
