// HTTP_GET and TCP_CHECK on the StreamPort (fast path), against a stateful fake port and a manual
// clock: request bytes, verdicts, one timer per attempt, timeouts, abort, copying of reused buffers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { ManualClock } from '../../../scenario/check/manual-clock.js';
import { compileUrl } from '../../../../src/check/http/verdict.js';
import { httpStreamProbe } from '../../../../src/check/probes/http-stream.js';
import { tcpStreamProbe } from '../../../../src/check/probes/tcp.js';
import type { StreamConnector, StreamEndpoint, StreamHandle, StreamPort, StreamSink } from '../../../../src/check/stream-port.js';
import type { ProbeResult } from '../../../../src/check/probe.js';

/** One open stream of the fake: the test drives it. */
class FakeStream implements StreamHandle {
  closed = false;
  constructor(readonly endpoint: StreamEndpoint, readonly request: Buffer, readonly sink: StreamSink) {}
  close(): void {
    this.closed = true;
  }
  /** Delivers bytes through ONE reused buffer, scribbled over afterwards (as the real port reuses it). */
  deliver(text: string, shared: Buffer): boolean {
    const n = shared.write(text, 'latin1');
    const done = this.sink.onData(shared.subarray(0, n));
    shared.fill(0x23);
    if (done) this.closed = true;
    return done;
  }
}

class FakePort implements StreamPort {
  readonly streams: FakeStream[] = [];
  readonly shared = Buffer.alloc(4096);
  connectors = 0;
  connector(endpoint: StreamEndpoint): StreamConnector {
    this.connectors++;
    return { open: (request, sink) => {
      const s = new FakeStream(endpoint, Buffer.from(request), sink);
      this.streams.push(s);
      return s;
    } };
  }
  last(): FakeStream {
    const s = this.streams.at(-1);
    assert.ok(s, 'a stream was opened');
    return s;
  }
}

const BODY = 'all good\n';
const MD5 = createHash('md5').update(BODY).digest('hex');
const ANSWER = `HTTP/1.1 200 OK\r\nServer: t\r\nContent-Length: ${BODY.length}\r\n\r\n${BODY}`;
const never = new AbortController().signal;

function probeOf(port: FakePort, clock: ManualClock, extra: { digests?: string[]; paths?: string[]; readTimeoutMs?: number } = {}) {
  const urls = (extra.paths ?? ['/health']).map((path) => compileUrl({ path, digests: extra.digests ?? [MD5], statusCodes: [], regexNoMatch: false }));
  return httpStreamProbe({ address: '192.0.2.10', port: 8080, connectTimeoutMs: 3_000, protocol: '1.0', urls, ...(extra.readTimeoutMs !== undefined ? { readTimeoutMs: extra.readTimeoutMs } : {}) }, clock, port);
}

async function settled(p: Promise<ProbeResult>, clock: ManualClock): Promise<ProbeResult> {
  await clock.advance(0);
  return p;
}

test('HTTP_GET on the stream port sends keepalived\'s exact request and accepts a matching digest', async () => {
  const port = new FakePort();
  const clock = new ManualClock();
  const probe = probeOf(port, clock);
  const attempt = probe(never);
  const s = port.last();
  assert.equal(s.request.toString('latin1'), 'GET /health HTTP/1.0\r\nUser-Agent: KeepAliveClient\r\nHost: 192.0.2.10:8080\r\n\r\n');
  assert.deepEqual({ address: s.endpoint.address, port: s.endpoint.port }, { address: '192.0.2.10', port: 8080 });
  assert.equal(s.sink.onConnected(), false);
  assert.equal(clock.timerCount(), 1, 'one timer per attempt');
  assert.equal(s.deliver(ANSWER, port.shared), true);
  assert.deepEqual(await settled(attempt, clock), { ok: true, detail: '/health: HTTP status 200' });
  assert.equal(clock.timerCount(), 0);
  assert.equal(s.closed, true);
});

test('the answer may arrive in pieces through a reused buffer: the reader keeps copies', async () => {
  const port = new FakePort();
  const clock = new ManualClock();
  const attempt = probeOf(port, clock)(never);
  const s = port.last();
  s.sink.onConnected();
  for (const piece of [ANSWER.slice(0, 7), ANSWER.slice(7, 30), ANSWER.slice(30, -3)]) assert.equal(s.deliver(piece, port.shared), false);
  assert.equal(s.deliver(ANSWER.slice(-3), port.shared), true);
  assert.deepEqual(await settled(attempt, clock), { ok: true, detail: '/health: HTTP status 200' });
});

test('a wrong digest, a bad status and a peer close before the header are reported as on the net path', async () => {
  const port = new FakePort();
  const clock = new ManualClock();
  const probe = probeOf(port, clock, { digests: ['00000000000000000000000000000000'] });
  let attempt = probe(never);
  port.last().deliver(ANSWER, port.shared);
  assert.deepEqual(await settled(attempt, clock), { ok: false, failure: 'bad-digest', reason: `/health: MD5 digest ${MD5}` });
  attempt = probe(never);
  port.last().deliver('HTTP/1.0 503 Busy\r\nContent-Length: 0\r\n\r\n', port.shared);
  assert.deepEqual(await settled(attempt, clock), { ok: false, failure: 'bad-status', reason: '/health: HTTP status 503' });
  attempt = probe(never);
  port.last().deliver('HTTP/1.0 200', port.shared);
  port.last().sink.onEnd();
  assert.deepEqual(await settled(attempt, clock), { ok: false, failure: 'bad-response', reason: '/health: no HTTP header received' });
  assert.equal(port.connectors, 1, 'the connector is prepared once per checker');
});

test('connect timeout, then read timeout re-armed by every read, with one timer', async () => {
  const port = new FakePort();
  const clock = new ManualClock();
  const probe = probeOf(port, clock, { readTimeoutMs: 1_000 });
  let attempt = probe(never);
  await clock.advance(2_999);
  assert.equal(port.last().closed, false);
  await clock.advance(1);
  assert.deepEqual(await attempt, { ok: false, failure: 'connect-timeout', reason: 'no connection within 3000 ms' });
  assert.equal(port.last().closed, true);

  attempt = probe(never);
  const s = port.last();
  await clock.advance(2_500);
  s.sink.onConnected(); // read deadline now 3500
  await clock.advance(900);
  s.deliver(ANSWER.slice(0, 10), port.shared); // read deadline now 4400
  await clock.advance(900); // the 3000 ms timer fired early and re-armed itself
  assert.equal(s.closed, false);
  assert.equal(clock.timerCount(), 1);
  await clock.advance(100);
  assert.deepEqual(await attempt, { ok: false, failure: 'read-timeout', reason: '/health: no data for 1000 ms' });
  assert.equal(s.closed, true);
});

test('socket errors, abort, and every url checked in turn', async () => {
  const port = new FakePort();
  const clock = new ManualClock();
  const probe = probeOf(port, clock, { paths: ['/a', '/b'] });
  let attempt = probe(never);
  port.last().sink.onError({ code: 'ECONNREFUSED', message: 'connect ECONNREFUSED' }, false);
  assert.equal((await settled(attempt, clock)).ok, false);
  attempt = probe(never);
  port.last().deliver(ANSWER, port.shared);
  await clock.advance(0);
  assert.equal(port.last().request.toString('latin1').split('\r\n')[0], 'GET /b HTTP/1.0');
  port.last().sink.onError({ code: 'ECONNRESET', message: 'recv ECONNRESET' }, true);
  assert.deepEqual(await settled(attempt, clock), { ok: false, failure: 'reset', reason: '/b: ECONNRESET' });
  const controller = new AbortController();
  attempt = probe(controller.signal);
  controller.abort();
  assert.deepEqual(await settled(attempt, clock), { ok: false, failure: 'internal', reason: '/a: aborted' });
  assert.equal(port.last().closed, true);
  assert.equal(clock.timerCount(), 0);
});

test('TCP_CHECK on the stream port: success once connected (closed at once), refused, timeout', async () => {
  const port = new FakePort();
  const clock = new ManualClock();
  const probe = tcpStreamProbe({ address: '192.0.2.11', port: 22, connectTimeoutMs: 500 }, clock, port);
  let attempt = probe(never);
  assert.equal(port.last().request.length, 0);
  assert.equal(port.last().sink.onConnected(), true, 'the port is told to close');
  assert.deepEqual(await settled(attempt, clock), { ok: true });
  attempt = probe(never);
  port.last().sink.onError({ code: 'ECONNREFUSED', message: 'connect ECONNREFUSED' }, false);
  assert.equal((await settled(attempt, clock)).ok === false && (await attempt).ok === false, true);
  attempt = probe(never);
  await clock.advance(500);
  assert.deepEqual(await attempt, { ok: false, failure: 'connect-timeout', reason: 'no connection within 500 ms' });
});
