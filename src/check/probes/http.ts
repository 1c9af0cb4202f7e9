/**
 * HTTP_GET and SSL_GET: for each `url` block in turn, one connection, keepalived's request bytes,
 * the answer read with a body cap and judged by status, digest and regex. The attempt succeeds
 * only when every url passes; it stops at the first failing url.
 */
import type { HttpProtocol } from '../../config/model/lvs.js';
import type { CheckClock } from '../clock.js';
import { connect, type ConnectTarget } from '../connect.js';
import { exchange } from '../http/exchange.js';
import { buildRequest } from '../http/request.js';
import { ResponseReader } from '../http/response.js';
import { judge, type UrlRule } from '../http/verdict.js';
import type { Probe, ProbeResult } from '../probe.js';

/** Default body cap: past it an answer is refused ('body-too-large'). */
export const DEFAULT_BODY_CAP_BYTES = 8 * 1024 * 1024;

export interface HttpProbeTarget extends ConnectTarget {
  readonly protocol: HttpProtocol;
  readonly urls: readonly UrlRule[];
  /** Checker-level virtualhost (a url's own virtualhost wins). */
  readonly virtualhost?: string;
  readonly bodyCapBytes?: number;
  /** Read inactivity timeout; default connect_timeout (as keepalived). */
  readonly readTimeoutMs?: number;
}

export function httpProbe(target: HttpProbeTarget, clock: CheckClock): Probe {
  return async (signal: AbortSignal): Promise<ProbeResult> => {
    let last: ProbeResult = { ok: true };
    for (const url of target.urls) {
      last = await checkUrl(target, url, clock, signal);
      if (!last.ok) return last;
    }
    return last;
  };
}

async function checkUrl(target: HttpProbeTarget, url: UrlRule, clock: CheckClock, signal: AbortSignal): Promise<ProbeResult> {
  const c = await connect(target, clock, signal);
  if (!c.ok) return c;
  const virtualhost = url.virtualhost ?? target.virtualhost;
  const request = buildRequest({
    path: url.path,
    protocol: target.protocol,
    address: target.address,
    port: target.port,
    ...(virtualhost !== undefined ? { virtualhost } : {}),
  });
  const cap = target.bodyCapBytes ?? DEFAULT_BODY_CAP_BYTES;
  const reader = new ResponseReader({ bodyCapBytes: cap, keepBodyBytes: url.regex ? cap : 0 });
  const outcome = await exchange(c.socket, request, reader, clock, target.readTimeoutMs ?? target.connectTimeoutMs, signal);
  if (!outcome.ok) return { ok: false, failure: outcome.failure, reason: `${url.path}: ${outcome.reason}` };
  return judge(url, reader);
}
