/** UDP_CHECK: reply rules (pure) and the probe over loopback, incl. ICMP unreachable and hostile replies. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createUdpCheckProbe, judgeUdpReply } from '../../../../src/check/probes/udp-check.js';
import { parseHexPattern } from '../../../../src/config/domains/lvs/checkers/others.js';
import type { HexPattern, UdpChecker } from '../../../../src/config/model/lvs.js';
import { closedUdpPort, CountingClock, LoopbackUdpServer, signal, span, timing } from './helpers.js';

function pattern(text: string): HexPattern {
  const p = parseHexPattern(text.split(' '), true);
  assert.ok(p, text);
  return p;
}

function udpChecker(port: number, over: Partial<UdpChecker> = {}, timeoutMs = 300): UdpChecker {
  return { type: 'UDP_CHECK', span, timing: timing(timeoutMs), connection: { connectPort: port }, requireReply: false, minReplyLength: 0, maxReplyLength: 255, ...over };
}

describe('UDP_CHECK reply rules', () => {
  const rules = { pattern: pattern('ab12X9fX'), minLength: 2, maxLength: 8 };
  it('matches with X nibble wildcards', () => {
    assert.equal(judgeUdpReply(Buffer.from('ab1234f5', 'hex'), { ...rules, pattern: pattern('ab12XXXX') }).ok, true);
    assert.equal(judgeUdpReply(Buffer.from('ab1239f0', 'hex'), rules).ok, true);
    assert.equal(judgeUdpReply(Buffer.from('ab12390f', 'hex'), rules).ok, false, 'fixed nibble f vs 0');
    assert.equal(judgeUdpReply(Buffer.from('ac12', 'hex'), rules).ok, false);
  });
  it('compares only min(reply length, pattern length) bytes', () => {
    assert.equal(judgeUdpReply(Buffer.from('ab12', 'hex'), rules).ok, true);
    assert.equal(judgeUdpReply(Buffer.from('ab1229f5ffffff', 'hex'), rules).ok, true);
  });
  it('enforces min/max reply length (only with a pattern, as keepalived)', () => {
    assert.equal(judgeUdpReply(Buffer.from('ab', 'hex'), rules).ok, false, 'shorter than min');
    assert.equal(judgeUdpReply(Buffer.alloc(9, 0xab), { ...rules, pattern: pattern('ab') }).ok, false, 'longer than max');
    assert.equal(judgeUdpReply(Buffer.alloc(65_000), { minLength: 2, maxLength: 8 }).ok, true, 'no pattern: any reply');
  });
});

describe('UDP_CHECK probe', () => {
  let server: LoopbackUdpServer;
  const clock = new CountingClock();
  const rs = { address: '127.0.0.1', family: 'inet' as const, port: 9 };
  const ports = { realServer: rs, clock, random: () => 0x42 / 256 };
  before(async () => { server = await LoopbackUdpServer.start(); });
  after(async () => { await server.close(); });

  it('sends the payload and accepts a matching echo', async () => {
    server.handler = (m, reply) => reply(m);
    const payload = Buffer.from('deadbeef', 'hex');
    const r = await createUdpCheckProbe(udpChecker(server.port, { payload, requireReply: true, replyPattern: pattern('deadXXef') }), ports)(signal());
    assert.equal(r.ok, true, JSON.stringify(r));
    assert.equal(server.received.at(-1)?.toString('hex'), 'deadbeef');
  });

  it('sends random bytes from the rng when no payload is configured', async () => {
    server.handler = () => undefined;
    await createUdpCheckProbe(udpChecker(server.port, {}, 100), ports)(signal());
    assert.equal(server.received.at(-1)?.toString('hex'), '42'.repeat(16));
  });

  it('silence is up without require_reply and down with it', async () => {
    server.handler = () => undefined;
    assert.equal((await createUdpCheckProbe(udpChecker(server.port, {}, 150), ports)(signal())).ok, true);
    const r = await createUdpCheckProbe(udpChecker(server.port, { requireReply: true }, 150), ports)(signal());
    assert.equal(!r.ok && r.failure, 'no-reply');
  });

  it('ICMP port unreachable is down even without require_reply', async () => {
    const r = await createUdpCheckProbe(udpChecker(await closedUdpPort(), {}, 2_000), ports)(signal());
    assert.equal(!r.ok && r.failure, 'connect-refused', JSON.stringify(r));
  });

  it('hostile replies: wrong bytes, empty, oversized', async () => {
    const rules = { requireReply: true, replyPattern: pattern('cafe'), minReplyLength: 1, maxReplyLength: 16 };
    for (const bad of [Buffer.from('beef', 'hex'), Buffer.alloc(0), Buffer.alloc(60_000, 0xca)]) {
      server.handler = (_m, reply) => reply(bad);
      const r = await createUdpCheckProbe(udpChecker(server.port, rules, 1_000), ports)(signal());
      assert.equal(!r.ok && r.failure, 'bad-response', `${bad.length} bytes: ${JSON.stringify(r)}`);
    }
  });

  it('timers are always cleared', () => {
    assert.equal(clock.armed, clock.cleared);
  });
});
