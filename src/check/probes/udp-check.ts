/**
 * UDP_CHECK as keepalived 2.2.7 judges it: one datagram (the `payload` bytes, else random bytes)
 * on a socket connected to the target, then within connect_timeout:
 *
 *   an ICMP unreachable (ECONNREFUSED / EHOSTUNREACH on the socket)      down
 *   silence, without require_reply                                      up
 *   silence, with require_reply                                         down
 *   a reply, no require_reply pattern                                   up
 *   a reply, with a pattern: its length must lie in [min_reply_length, max_reply_length], and its
 *     first min(length, pattern length) bytes must match the pattern, X nibbles excepted
 *
 * keepalived reads at most max_reply_length + 1 bytes, so a longer reply fails the length rule.
 */
import type { Endpoint, HexPattern, UdpChecker } from '../../config/model/lvs.js';
import type { Rng } from '../clock.js';
import type { Probe, ProbeResult } from '../probe.js';
import { probeTarget, udpExchange, type ProbeClock, type Verdict } from './udp-exchange.js';

export interface UdpCheckPorts {
  readonly realServer: Endpoint;
  readonly clock: ProbeClock;
  /** The checker layer's Rng, uniform in [0, 1): the payload when none is configured. */
  readonly random: Rng;
}

const RANDOM_PAYLOAD_BYTES = 16;

export function createUdpCheckProbe(config: UdpChecker, ports: UdpCheckPorts): Probe {
  const target = probeTarget(ports.realServer, config.connection);
  const rules: ReplyRules = {
    ...(config.replyPattern ? { pattern: config.replyPattern } : {}),
    minLength: config.minReplyLength,
    maxLength: config.maxReplyLength,
  };
  return async (signal) => {
    const result = await udpExchange({
      target,
      payload: config.payload ?? randomPayload(ports.random),
      timeoutMs: config.timing.connectTimeoutMs,
      clock: ports.clock,
      signal,
      judge: (datagram): Verdict => ({ settle: judgeUdpReply(datagram, rules) }),
    });
    if (!result.ok && result.failure === 'no-reply' && !config.requireReply && !signal.aborted) {
      return { ok: true, detail: 'no reply and no ICMP error' };
    }
    return result;
  };
}

export interface ReplyRules {
  readonly pattern?: HexPattern;
  readonly minLength: number;
  readonly maxLength: number;
}

/** Pure: the verdict on one reply. */
export function judgeUdpReply(reply: Uint8Array, rules: ReplyRules): ProbeResult {
  const pattern = rules.pattern;
  if (!pattern) return { ok: true, detail: `reply of ${reply.length} bytes` };
  const length = Math.min(reply.length, rules.maxLength + 1);
  if (length < rules.minLength || length > rules.maxLength) {
    return { ok: false, failure: 'bad-response', reason: `reply length ${reply.length} outside [${rules.minLength}, ${rules.maxLength}]` };
  }
  const checked = Math.min(length, pattern.bytes.length);
  for (let i = 0; i < checked; i++) {
    const mask = pattern.mask[i] ?? 0xff;
    if ((((reply[i] ?? 0) ^ (pattern.bytes[i] ?? 0)) & mask) !== 0) {
      return { ok: false, failure: 'bad-response', reason: `reply data mismatch at byte ${i}` };
    }
  }
  return { ok: true, detail: `reply of ${reply.length} bytes matches` };
}

function randomPayload(random: Rng): Uint8Array {
  const out = Buffer.alloc(RANDOM_PAYLOAD_BYTES);
  for (let at = 0; at < RANDOM_PAYLOAD_BYTES; at++) out[at] = Math.floor(random() * 256) & 0xff;
  return out;
}
