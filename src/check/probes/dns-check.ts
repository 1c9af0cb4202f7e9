/**
 * DNS_CHECK: one query over UDP (type A/NS/CNAME/SOA/MX/TXT/AAAA, default SOA; name default the
 * root), RD set, a random id from the injected rng. As keepalived 2.2.7 does, while waiting for
 * the answer it ignores a datagram that is too short for a header, has another id, or is not a
 * response (QR clear); it fails at once on rcode != 0 and succeeds on the first matching response
 * with rcode 0 (the answer records are not judged). Nothing valid within connect_timeout: failure.
 * Retries belong to the scheduler.
 */
import type { DnsChecker, Endpoint } from '../../config/model/lvs.js';
import { CodecError } from '../../proto/codec-error.js';
import { decodeDnsHeader, decodeDnsMessage, DNS_TYPES, encodeDnsQuery } from '../../proto/dns-message.js';
import type { Rng } from '../clock.js';
import type { Probe, ProbeResult } from '../probe.js';
import { probeTarget, udpExchange, type ProbeClock, type Verdict } from './udp-exchange.js';

export interface DnsCheckPorts {
  readonly realServer: Endpoint;
  readonly clock: ProbeClock;
  /** The checker layer's Rng: uniform in [0, 1). */
  readonly random: Rng;
}

const RCODE_NAMES = ['NOERROR', 'FORMERR', 'SERVFAIL', 'NXDOMAIN', 'NOTIMP', 'REFUSED'];

export function createDnsCheckProbe(config: DnsChecker, ports: DnsCheckPorts): Probe {
  const target = probeTarget(ports.realServer, config.connection);
  const type = DNS_TYPES[config.queryType];
  return (signal) => {
    const id = Math.floor(ports.random() * 0x10000) & 0xffff;
    let query: Uint8Array;
    try {
      query = encodeDnsQuery({ id, name: config.name, type });
    } catch (error) {
      if (error instanceof CodecError) return Promise.resolve({ ok: false, failure: 'internal', reason: error.message });
      throw error;
    }
    return udpExchange({
      target,
      payload: query,
      timeoutMs: config.timing.connectTimeoutMs,
      clock: ports.clock,
      signal,
      judge: (datagram) => judgeDnsAnswer(datagram, id),
      ignoredFailure: 'bad-response',
    });
  };
}

/** Pure: what DNS_CHECK makes of one datagram received for the query with `id`. */
export function judgeDnsAnswer(datagram: Uint8Array, id: number): Verdict {
  const h = decodeDnsHeader(datagram);
  if (!h.ok) return { ignore: `too small message (${datagram.length} bytes)` };
  const header = h.value;
  if (header.id !== id) return { ignore: `ID does not match (${hex4(header.id)} != ${hex4(id)})` };
  if (!header.isResponse) return { ignore: 'not a response' };
  if (header.rcode !== 0) {
    const name = RCODE_NAMES[header.rcode] ?? String(header.rcode);
    return { settle: { ok: false, failure: 'bad-response', reason: `error occurred (rcode = ${header.rcode} ${name})` } };
  }
  return { settle: success(datagram) };
}

function success(datagram: Uint8Array): ProbeResult {
  const m = decodeDnsMessage(datagram);
  const detail = m.ok ? `${m.value.answers.length} answer(s)` : `answer not decoded (${m.reason})`;
  return { ok: true, detail };
}

function hex4(n: number): string {
  return n.toString(16).padStart(4, '0');
}
