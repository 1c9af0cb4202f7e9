/**
 * HTTP_GET on the StreamPort (the fast path; SSL_GET stays on Node's tls): per checker, the
 * request bytes of every url and the connector are prepared once; an attempt is one stream, one
 * timer and one ResponseReader per url. Verdicts are the same as on the net path (judge()).
 */
import type { CheckClock } from '../clock.js';
import { buildRequest } from '../http/request.js';
import { ResponseReader } from '../http/response.js';
import { judge, type UrlRule } from '../http/verdict.js';
import type { Probe, ProbeResult } from '../probe.js';
import type { StreamConnector, StreamPort } from '../stream-port.js';
import { DEFAULT_BODY_CAP_BYTES, type HttpProbeTarget } from './http.js';
import { runStreamAttempt, type AttemptHandler, type AttemptTimeouts } from './stream-attempt.js';

interface PreparedUrl {
  readonly rule: UrlRule;
  readonly request: Buffer;
}

class HttpAnswer implements AttemptHandler {
  readonly reader: ResponseReader;

  constructor(private readonly rule: UrlRule, bodyCapBytes: number) {
    this.reader = new ResponseReader({ bodyCapBytes, keepBodyBytes: rule.regex ? bodyCapBytes : 0 });
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
  const connector: StreamConnector = port.connector(target);
  const urls: PreparedUrl[] = target.urls.map((rule) => {
    const virtualhost = rule.virtualhost ?? target.virtualhost;
    const request = buildRequest({ path: rule.path, protocol: target.protocol, address: target.address, port: target.port, ...(virtualhost !== undefined ? { virtualhost } : {}) });
    return { rule, request };
  });
  const timeouts: AttemptTimeouts = { connectTimeoutMs: target.connectTimeoutMs, readTimeoutMs: target.readTimeoutMs ?? target.connectTimeoutMs };
  const capBytes = target.bodyCapBytes ?? DEFAULT_BODY_CAP_BYTES;
  return async (signal: AbortSignal): Promise<ProbeResult> => {
    let last: ProbeResult = { ok: true };
    for (const url of urls) {
      last = await runStreamAttempt(connector, url.request, new HttpAnswer(url.rule, capBytes), clock, timeouts, signal);
      if (!last.ok) return prefixed(last, url.rule.path);
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
