/**
 * PING_CHECK: one ICMP (IPv4) or ICMPv6 echo to the target (connect_ip, else the real server),
 * answered within connect_timeout. The echo itself is done by an EchoPort: the wiring passes the
 * IcmpEchoClient (src/os/linux/icmp-echo-client.ts) of the target's family, which matches replies
 * on identifier, sequence, token and source, so concurrent checkers never mix.
 */
import { isIPv6 } from 'node:net';
import type { Endpoint, PingChecker } from '../../config/model/lvs.js';
import type { Probe, ProbeResult } from '../probe.js';

/** Structurally the IcmpEchoClient's probe(). */
export interface EchoPort {
  probe(target: string, timeoutMs: number): Promise<EchoOutcome>;
}

export type EchoOutcome =
  | { readonly ok: true; readonly rttMs: number }
  | { readonly ok: false; readonly reason: 'timeout' | 'closed' | 'send_failed'; readonly code?: string };

export interface PingCheckPorts {
  readonly realServer: Endpoint;
  /** The echo client for IPv4 targets and the one for IPv6 targets. */
  readonly echo: { readonly v4?: EchoPort; readonly v6?: EchoPort };
}

const UNREACHABLE = new Set(['EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'ECONNREFUSED']);

export function createPingCheckProbe(config: PingChecker, ports: PingCheckPorts): Probe {
  const target = config.connection.connectIp ?? ports.realServer.address;
  const v6 = isIPv6(target);
  const echo = v6 ? ports.echo.v6 : ports.echo.v4;
  return async (signal) => {
    if (!echo) return { ok: false, failure: 'internal', reason: `no ICMP${v6 ? 'v6' : ''} echo client` };
    if (signal.aborted) return { ok: false, failure: 'internal', reason: 'aborted' };
    let onAbort = (): void => undefined;
    const aborted = new Promise<ProbeResult>((resolve) => {
      onAbort = () => resolve({ ok: false, failure: 'internal', reason: 'aborted' });
      signal.addEventListener('abort', onAbort, { once: true });
    });
    const answered = echo.probe(target, config.timing.connectTimeoutMs).then(
      (outcome) => echoResult(outcome, target, config.timing.connectTimeoutMs),
      (error: unknown): ProbeResult => ({ ok: false, failure: 'internal', reason: `echo: ${String(error)}` }),
    );
    try {
      return await Promise.race([answered, aborted]);
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  };
}

/** Pure: the checker result of one echo. */
export function echoResult(outcome: EchoOutcome, target: string, timeoutMs: number): ProbeResult {
  if (outcome.ok) return { ok: true, detail: `echo reply from ${target} in ${outcome.rttMs.toFixed(1)} ms` };
  switch (outcome.reason) {
    case 'timeout':
      return { ok: false, failure: 'no-reply', reason: `no echo reply from ${target} within ${timeoutMs} ms` };
    case 'send_failed': {
      const code = outcome.code ?? 'EIO';
      return { ok: false, failure: UNREACHABLE.has(code) ? 'connect-refused' : 'connect-error', reason: `echo to ${target} not sent: ${code}` };
    }
    case 'closed':
      return { ok: false, failure: 'internal', reason: 'echo socket closed' };
  }
}
