/** Property tests: every decoder, fed arbitrary or mutated bytes, returns or throws NetlinkDecodeError only. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { NetlinkDecodeError } from '../../../../src/os/linux/netlink/errors.js';
import { decodeAck, decodeDone, decodeMessages, encodeMessage } from '../../../../src/os/linux/netlink/message.js';
import { decodeAttributes } from '../../../../src/os/linux/netlink/attributes.js';
import { decodeLink, encodeMacvlanCreate } from '../../../../src/os/linux/netlink/link-codec.js';
import { decodeAddress, encodeAddress } from '../../../../src/os/linux/netlink/address-codec.js';
import { decodeRoute, encodeRoute } from '../../../../src/os/linux/netlink/route-codec.js';
import { decodeRule, encodeRule } from '../../../../src/os/linux/netlink/rule-codec.js';
import { decodeFamily } from '../../../../src/os/linux/netlink/genl-codec.js';
import { decodeDestMessage, decodeServiceMessage, encodeDestCommand, encodeServiceCommand } from '../../../../src/os/linux/netlink/ipvs-codec.js';
import { decodeConfigMessage, decodeDaemonMessage, encodeNewDaemon } from '../../../../src/os/linux/netlink/ipvs-misc-codec.js';

const decoders: Array<[string, (b: Buffer) => unknown]> = [
  ['messages', decodeMessages], ['attributes', decodeAttributes], ['link', decodeLink], ['address', decodeAddress],
  ['route', decodeRoute], ['rule', decodeRule], ['genl family', decodeFamily], ['ipvs service', decodeServiceMessage],
  ['ipvs dest', (b) => decodeDestMessage(b, 2)], ['ipvs daemon', decodeDaemonMessage], ['ipvs config', decodeConfigMessage],
  ['ack', (b) => decodeAck({ type: 2, flags: b[0] === undefined ? 0 : b[0] << 4, seq: 1, pid: 0, payload: b })],
  ['done', (b) => decodeDone({ type: 3, flags: 0x200, seq: 1, pid: 0, payload: b })],
];

const seeds: Buffer[] = [
  encodeMacvlanCreate({ name: 'vrrp.1', parentIndex: 2, mode: 'private', mac: '00:00:5e:00:01:01' }),
  encodeAddress({ index: 2, address: '2001:db8::1', prefixLength: 64, preferredLifetimeSec: 0 }),
  encodeRoute({ dst: '198.51.100.0/24', nexthops: [{ gateway: '192.0.2.1', weight: 2 }], metrics: { mtu: 1400, congctl: 'cubic' } }, false),
  encodeRule({ family: 2, from: '192.0.2.0/24', sport: { start: 1, end: 2 }, uidRange: { start: 0, end: 9 } }, false),
  encodeServiceCommand(1, { family: 2, protocol: 'udp', address: '192.0.2.5', port: 53, scheduler: 'rr', flags: 0, timeoutSec: 0, netmaskPrefixLength: 32 }),
  encodeDestCommand(5, { family: 2, fwmark: 1 }, { address: '192.0.2.9', port: 0, forwarding: 'tunnel', weight: 1, upperThreshold: 0, lowerThreshold: 0 }),
  encodeNewDaemon({ state: 'backup', interface: 'eth0', syncId: 1 }),
];

function typedOnly(name: string, decode: (b: Buffer) => unknown, bytes: Buffer): void {
  try {
    decode(bytes);
  } catch (e) {
    assert.ok(e instanceof NetlinkDecodeError, `${name} threw ${String(e)} for ${bytes.toString('hex')}`);
  }
}

test('decoders never throw anything but NetlinkDecodeError on random bytes', () => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), (arr) => {
    const b = Buffer.from(arr);
    for (const [name, d] of decoders) typedOnly(name, d, b);
  }), { numRuns: 500 });
});

test('decoders never throw anything but NetlinkDecodeError on mutated valid messages', () => {
  const seedArb = fc.constantFrom(...seeds);
  fc.assert(fc.property(seedArb, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }), fc.nat(), (seed, edits, cut) => {
    const b = Buffer.from(seed);
    for (const [pos, v] of edits) if (b.length > 0) b[pos % b.length] = v;
    const trimmed = b.subarray(0, b.length - (cut % 8));
    for (const [name, d] of decoders) typedOnly(name, d, trimmed);
    typedOnly('framed', decodeMessages, encodeMessage({ type: 16, flags: 0, seq: 1 }, trimmed));
  }), { numRuns: 1000 });
});
