/** DNS_CHECK over loopback UDP against a scripted responder, including hostile answers. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createDnsCheckProbe, judgeDnsAnswer } from '../../../../src/check/probes/dns-check.js';
import type { DnsChecker } from '../../../../src/config/model/lvs.js';
import { closedUdpPort, CountingClock, LoopbackUdpServer, signal, span, timing } from './helpers.js';

function dnsChecker(port: number, over: Partial<DnsChecker> = {}, timeoutMs = 400): DnsChecker {
  return { type: 'DNS_CHECK', span, timing: timing(timeoutMs), connection: { connectPort: port }, queryType: 'SOA', name: '.', ...over };
}

/** Builds an answer to `query`: same id unless overridden, QR set, rcode. */
function answerTo(query: Buffer, opts: { id?: number; qr?: boolean; rcode?: number } = {}): Buffer {
  const out = Buffer.from(query);
  out.writeUInt16BE(opts.id ?? query.readUInt16BE(0), 0);
  out.writeUInt16BE((opts.qr === false ? 0 : 0x8000) | 0x0180 | (opts.rcode ?? 0), 2);
  return out;
}

describe('DNS_CHECK probe', () => {
  let server: LoopbackUdpServer;
  const clock = new CountingClock();
  const rs = { address: '127.0.0.1', family: 'inet' as const, port: 53 };
  before(async () => { server = await LoopbackUdpServer.start(); });
  after(async () => { await server.close(); });

  it('sends an RD query of the configured type and name with the rng id, succeeds on rcode 0', async () => {
    server.handler = (q, reply) => reply(answerTo(q));
    const probe = createDnsCheckProbe(dnsChecker(server.port, { queryType: 'MX', name: 'example.com' }), { realServer: rs, clock, random: () => 0x1234 / 0x10000 });
    const r = await probe(signal());
    assert.equal(r.ok, true, JSON.stringify(r));
    const q = server.received.at(-1);
    assert.ok(q);
    assert.equal(q.readUInt16BE(0), 0x1234, 'id = rng scaled to 16 bits');
    assert.equal(q.readUInt16BE(2), 0x0100, 'RD set');
    assert.equal(q.subarray(12).toString('hex'), '076578616d706c6503636f6d00000f0001');
  });

  it('ignores a wrong id and a non-response, then accepts the real answer', async () => {
    server.handler = (q, reply) => {
      reply(answerTo(q, { id: q.readUInt16BE(0) ^ 1 }));
      reply(answerTo(q, { qr: false }));
      reply(Buffer.from('garbage'));
      setTimeout(() => reply(answerTo(q)), 30);
    };
    const r = await createDnsCheckProbe(dnsChecker(server.port), { realServer: rs, clock, random: () => 7 / 0x10000 })(signal());
    assert.equal(r.ok, true, JSON.stringify(r));
  });

  it('fails (after the timeout) when only wrong ids, non-responses or short garbage come back', async () => {
    for (const bad of [(q: Buffer) => answerTo(q, { id: q.readUInt16BE(0) ^ 0xffff }), (q: Buffer) => answerTo(q, { qr: false }), () => Buffer.alloc(5)]) {
      server.handler = (q, reply) => reply(bad(q));
      const r = await createDnsCheckProbe(dnsChecker(server.port, {}, 200), { realServer: rs, clock, random: () => 99 / 0x10000 })(signal());
      assert.equal(r.ok, false);
      assert.equal(!r.ok && r.failure, 'bad-response', JSON.stringify(r));
    }
  });

  it('fails at once on rcode != 0', async () => {
    server.handler = (q, reply) => reply(answerTo(q, { rcode: 3 }));
    const t0 = performance.now();
    const r = await createDnsCheckProbe(dnsChecker(server.port, {}, 5_000), { realServer: rs, clock, random: () => 1 / 0x10000 })(signal());
    assert.equal(!r.ok && r.failure, 'bad-response');
    assert.match(!r.ok ? r.reason : '', /rcode = 3/);
    assert.ok(performance.now() - t0 < 1_000);
  });

  it('a response with a valid header but garbage records still counts as up (as keepalived)', () => {
    const msg = Buffer.from('00078180000100050000000000', 'hex');
    const v = judgeDnsAnswer(msg, 7);
    assert.ok('settle' in v && v.settle.ok, JSON.stringify(v));
    assert.match('settle' in v && v.settle.ok ? v.settle.detail ?? '' : '', /not decoded/);
  });

  it('times out with no-reply when the server is silent', async () => {
    server.handler = () => undefined;
    const r = await createDnsCheckProbe(dnsChecker(server.port, {}, 150), { realServer: rs, clock, random: () => 1 / 0x10000 })(signal());
    assert.equal(!r.ok && r.failure, 'no-reply');
  });

  it('reports ICMP port unreachable as connect-refused', async () => {
    const port = await closedUdpPort();
    const r = await createDnsCheckProbe(dnsChecker(port, {}, 2_000), { realServer: rs, clock, random: () => 1 / 0x10000 })(signal());
    assert.equal(!r.ok && r.failure, 'connect-refused', JSON.stringify(r));
  });

  it('works over IPv6 loopback', async () => {
    const v6 = await LoopbackUdpServer.start(6);
    try {
      v6.handler = (q, reply) => reply(answerTo(q));
      const r = await createDnsCheckProbe(dnsChecker(v6.port, { queryType: 'AAAA' }), { realServer: { address: '::1', family: 'inet6', port: 53 }, clock, random: () => 5 / 0x10000 })(signal());
      assert.equal(r.ok, true);
    } finally {
      await v6.close();
    }
  });

  it('an abort ends the attempt quickly and every timer armed was cleared', async () => {
    server.handler = () => undefined;
    const c = new CountingClock();
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 50);
    const r = await createDnsCheckProbe(dnsChecker(server.port, {}, 10_000), { realServer: rs, clock: c, random: () => 1 / 0x10000 })(ac.signal);
    assert.equal(r.ok, false);
    assert.equal(c.armed, c.cleared);
  });
});
