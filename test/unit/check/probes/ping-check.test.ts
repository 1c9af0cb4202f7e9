/** PING_CHECK with a fake echo port (the real socket is covered by the lab test). */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createPingCheckProbe, type EchoOutcome, type EchoPort } from '../../../../src/check/probes/ping-check.js';
import type { PingChecker } from '../../../../src/config/model/lvs.js';
import { signal, span, timing } from './helpers.js';

class FakeEcho implements EchoPort {
  readonly calls: [string, number][] = [];
  constructor(private readonly outcome: EchoOutcome | 'never') {}
  probe(target: string, timeoutMs: number): Promise<EchoOutcome> {
    this.calls.push([target, timeoutMs]);
    return this.outcome === 'never' ? new Promise(() => undefined) : Promise.resolve(this.outcome);
  }
}

const checker = (connectIp?: string): PingChecker => ({ type: 'PING_CHECK', span, timing: timing(700), connection: connectIp ? { connectIp } : {} });
const rs = { address: '192.0.2.2', family: 'inet' as const, port: 80 };

describe('PING_CHECK probe', () => {
  it('echoes the real server (or connect_ip) with connect_timeout, by family', async () => {
    const v4 = new FakeEcho({ ok: true, rttMs: 0.4 });
    const v6 = new FakeEcho({ ok: true, rttMs: 0.2 });
    assert.equal((await createPingCheckProbe(checker(), { realServer: rs, echo: { v4, v6 } })(signal())).ok, true);
    assert.equal((await createPingCheckProbe(checker('2001:db8::7'), { realServer: rs, echo: { v4, v6 } })(signal())).ok, true);
    assert.deepEqual(v4.calls, [['192.0.2.2', 700]]);
    assert.deepEqual(v6.calls, [['2001:db8::7', 700]]);
  });

  it('maps timeout, unreachable, other send errors and a missing client', async () => {
    const run = async (o: EchoOutcome) => createPingCheckProbe(checker(), { realServer: rs, echo: { v4: new FakeEcho(o) } })(signal());
    const failure = (r: Awaited<ReturnType<typeof run>>) => (!r.ok ? r.failure : 'ok');
    assert.equal(failure(await run({ ok: false, reason: 'timeout' })), 'no-reply');
    assert.equal(failure(await run({ ok: false, reason: 'send_failed', code: 'EHOSTUNREACH' })), 'connect-refused');
    assert.equal(failure(await run({ ok: false, reason: 'send_failed', code: 'EPERM' })), 'connect-error');
    assert.equal(failure(await run({ ok: false, reason: 'closed' })), 'internal');
    const none = await createPingCheckProbe(checker('2001:db8::1'), { realServer: rs, echo: {} })(signal());
    assert.equal(!none.ok && none.failure, 'internal');
  });

  it('an abort resolves a pending echo at once', async () => {
    const ac = new AbortController();
    const pending = createPingCheckProbe(checker(), { realServer: rs, echo: { v4: new FakeEcho('never') } })(ac.signal);
    ac.abort();
    const r = await pending;
    assert.equal(!r.ok && r.reason, 'aborted');
  });
});
