/**
 * HTTP_GET on the StreamPort (the fast path; SSL_GET stays on Node's tls): per checker, the
 * request bytes, the connector and a ResponseReader of every url are prepared once (the reader
 * is reset per attempt); an attempt is one stream and one timer per url. Verdicts are the same as on the net path (judge()).
 */
import type { CheckClock } from '../clock.js';
import { buildRequest } from '../http/request.js';
import { ResponseReader } from '../http/response.js';
import { judge, type UrlRule } from '../http/verdict.js';
import type { Probe, ProbeResult } from '../probe.js';
import type { StreamPort } from '../stream-port.js';
import { DEFAULT_BODY_CAP_BYTES, type HttpProbeTarget } from './http.js';
import { StreamAttemptRunner, type AttemptHandler, type AttemptTimeouts } from './stream-attempt.js';

class HttpAnswer implements AttemptHandler {
  readonly reader: ResponseReader;
  /** Prefixes socket-level failures with the url (bound once). */
  readonly map = (r: ProbeResult): ProbeResult => (r.ok ? r : prefixed(r, this.rule.path));

  constructor(readonly rule: UrlRule, readonly request: Buffer, bodyCapBytes: number) {
    this.reader = new ResponseReader({ bodyCapBytes, keepBodyBytes: rule.regex ? bodyCapBytes : 0 });
  }

  /** Ready for the next attempt (attempts of one checker never overlap). */
  reset(): this {
    this.reader.reset();
    return this;
  }

  onData(bytes: Buffer): boolean {
    const state = this.reader.push(bytes);
    return state === 'complete' || state === 'too-large' || state === 'bad-header';
  }

  failure(): ProbeResult | undefined {
    const r = this.reader;
    if (r.state === 'too-large') return this.fail('body-too-large', `body larger than the cap (${r.bodyBytes} bytes kept)`);
    if (r.state === 'bad-header') return this.fail('bad-response', 'no end of HTTP header');
    return undefined;
  }

  finish(): ProbeResult {
    return judge(this.rule, this.reader);
  }

  private fail(failure: 'body-too-large' | 'bad-response', reason: string): ProbeResult {
    return { ok: false, failure, reason: `${this.rule.path}: ${reason}` };
  }
}

export function httpStreamProbe(target: HttpProbeTarget, clock: CheckClock, port: StreamPort): Probe {
  const timeouts: AttemptTimeouts = { connectTimeoutMs: target.connectTimeoutMs, readTimeoutMs: target.readTimeoutMs ?? target.connectTimeoutMs };
  const runner = new StreamAttemptRunner(port.connector(target), clock, timeouts);
  const capBytes = target.bodyCapBytes ?? DEFAULT_BODY_CAP_BYTES;
  // Per checker, once: the request bytes and the reader (reset per attempt) of every url.
  const answers = target.urls.map((rule) => {
    const virtualhost = rule.virtualhost ?? target.virtualhost;
    const request = buildRequest({ path: rule.path, protocol: target.protocol, address: target.address, port: target.port, ...(virtualhost !== undefined ? { virtualhost } : {}) });
    return new HttpAnswer(rule, request, capBytes);
  });
  const only = answers.length === 1 ? answers[0] : undefined;
  if (only !== undefined) return (signal) => runner.run(only.request, only.reset(), signal, only.map);
  return async (signal: AbortSignal): Promise<ProbeResult> => {
    let last: ProbeResult = { ok: true };
    for (const a of answers) {
      last = await runner.run(a.request, a.reset(), signal, a.map);
      if (!last.ok) return last;
    }
    return last;
  };
}

/** Socket-level failures name the url, as on the net path ("/health: no data for 3000 ms"). */
function prefixed(r: Extract<ProbeResult, { ok: false }>, path: string): ProbeResult {
  if (r.failure === 'bad-status' || r.failure === 'bad-digest' || r.failure === 'regex-mismatch' || r.reason.startsWith(`${path}:`)) return r;
  if (r.failure === 'connect-timeout' || r.failure === 'connect-refused' || r.failure === 'connect-error' || r.failure === 'tls-error') return r;
  return { ok: false, failure: r.failure, reason: `${path}: ${r.reason}` };
}
