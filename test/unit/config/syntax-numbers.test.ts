import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { readInteger, readTimerUs, readUnsigned, parseBoolWord } from '../../../src/config/syntax/numbers.js';
import { parseIpPrefix } from '../../../src/config/syntax/ip.js';
import { parseAddressLine } from '../../../src/config/syntax/address.js';

test('readUnsigned matches keepalived wording', () => {
  assert.deepEqual(readUnsigned('256', 1, 255), { ok: false, messages: ["number '256' outside range [1, 255]"] });
  assert.deepEqual(readUnsigned('-1', 1, 255), { ok: false, messages: ["negative number '-1'"] });
  assert.deepEqual(readUnsigned('0x10', 1, 255), { ok: false, messages: ["invalid number '0x10'"] });
  assert.deepEqual(readUnsigned('+5', 1, 255), { ok: true, value: 5 });
  assert.deepEqual(readInteger('-300', -253, 253), { ok: false, messages: ["number '-300' outside range [-253, 253]"] });
});

test('timers: microseconds, too many decimals then range', () => {
  assert.deepEqual(readTimerUs('1.5'), { ok: true, value: 1_500_000 });
  assert.deepEqual(readTimerUs('0'), { ok: false, messages: ["number '0' outside range [0.000001, 4294.967295]"] });
  assert.deepEqual(readTimerUs('0.0000001'), {
    ok: false,
    messages: ["number '0.0000001' has too many decimal places", "number '0.0000001' outside range [0.000001, 4294.967295]"],
  });
});

test('booleans', () => {
  assert.equal(parseBoolWord('On'), true);
  assert.equal(parseBoolWord('no'), false);
  assert.equal(parseBoolWord('maybe'), undefined);
});

test('IP prefixes', () => {
  assert.equal(parseIpPrefix('192.0.2.1/24')?.prefixLength, 24);
  assert.equal(parseIpPrefix('2001:DB8::1')?.text, '2001:db8::1');
  assert.equal(parseIpPrefix('1.2.3'), undefined);
  assert.equal(parseIpPrefix('192.0.2.1/33'), undefined);
});

test('address lines report keepalived messages', () => {
  const r = parseAddressLine(['192.0.2.9/33']);
  assert.deepEqual(r.messages.map((m) => m.text), ["number '33' outside range [0, 32]", 'Invalid address prefix len 33 for address 192.0.2.9/33 - using 32']);
  assert.equal(r.address?.prefixLength, 32);
  const v6 = parseAddressLine(['2001:db8::1', 'label', 'x', 'scope', 'host']);
  assert.deepEqual(v6.messages.map((m) => m.text), [
    'Cannot specify scope for IPv6 addresses (2001:db8::1) - ignoring scope',
    'Cannot specify label for IPv6 addresses (2001:db8::1) - ignoring label',
  ]);
  assert.deepEqual(parseAddressLine(['1.2.3']).messages.map((m) => m.text), ['VRRP parsed invalid IP 1.2.3. skipping IP...']);
  const brd = parseAddressLine(['192.0.2.10/24', 'brd', '+', 'dev', 'eth0']);
  assert.equal(brd.address?.broadcast, '192.0.2.255');
});

test('readers never throw (property)', () => {
  fc.assert(fc.property(fc.string(), (s) => {
    readUnsigned(s, 0, 10); readInteger(s, -5, 5); readTimerUs(s); parseAddressLine(s.split(' '));
  }));
});
