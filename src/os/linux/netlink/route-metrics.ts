/**
 * RTA_METRICS: nested RTAX_* attributes, each a u32 in the kernel's units (rtt in 1/8 ms and
 * rttvar in 1/4 ms as ip(8) sends them, rto_min in ms), except RTAX_CC_ALGO (a string).
 * `lock` is the RTAX_LOCK bit mask (bit n locks metric n), as "lock mtu" in ip(8).
 */
import {
  RTAX_ADVMSS, RTAX_CC_ALGO, RTAX_CWND, RTAX_FASTOPEN_NO_COOKIE, RTAX_FEATURES, RTAX_HOPLIMIT, RTAX_INITCWND,
  RTAX_INITRWND, RTAX_LOCK, RTAX_MTU, RTAX_QUICKACK, RTAX_REORDERING, RTAX_RTO_MIN, RTAX_RTT, RTAX_RTTVAR,
  RTAX_SSTHRESH, RTAX_WINDOW,
} from './constants.js';
import { attrContainer, attrString, attrU32, AttributeReader } from './attributes.js';

export interface RouteMetrics {
  readonly lock?: number;
  readonly mtu?: number;
  readonly window?: number;
  readonly rtt?: number;
  readonly rttvar?: number;
  readonly ssthresh?: number;
  readonly cwnd?: number;
  readonly advmss?: number;
  readonly reordering?: number;
  readonly hoplimit?: number;
  readonly initcwnd?: number;
  readonly features?: number;
  readonly rtoMinMs?: number;
  readonly initrwnd?: number;
  readonly quickack?: number;
  readonly fastopenNoCookie?: number;
  readonly congctl?: string;
}

type NumericMetric = Exclude<keyof RouteMetrics, 'congctl'>;

const numeric: ReadonlyArray<readonly [NumericMetric, number]> = [
  ['lock', RTAX_LOCK], ['mtu', RTAX_MTU], ['window', RTAX_WINDOW], ['rtt', RTAX_RTT], ['rttvar', RTAX_RTTVAR],
  ['ssthresh', RTAX_SSTHRESH], ['cwnd', RTAX_CWND], ['advmss', RTAX_ADVMSS], ['reordering', RTAX_REORDERING],
  ['hoplimit', RTAX_HOPLIMIT], ['initcwnd', RTAX_INITCWND], ['features', RTAX_FEATURES], ['rtoMinMs', RTAX_RTO_MIN],
  ['initrwnd', RTAX_INITRWND], ['quickack', RTAX_QUICKACK], ['fastopenNoCookie', RTAX_FASTOPEN_NO_COOKIE],
];

/** Metric attributes in RTAX order, inside a container of type `type` (RTA_METRICS). */
export function encodeMetrics(type: number, m: RouteMetrics): Buffer {
  const children: Array<[number, Buffer]> = [];
  for (const [key, rtax] of numeric) {
    const v = m[key];
    if (v !== undefined) children.push([rtax, attrU32(rtax, v)]);
  }
  if (m.congctl !== undefined) children.push([RTAX_CC_ALGO, attrString(RTAX_CC_ALGO, m.congctl, 16)]);
  children.sort((a, b) => a[0] - b[0]);
  return attrContainer(type, children.map(([, b]) => b));
}

export function decodeMetrics(r: AttributeReader): RouteMetrics {
  const out: Record<string, number | string> = {};
  for (const [key, rtax] of numeric) {
    const v = r.u32(rtax);
    if (v !== undefined) out[key] = v;
  }
  const cc = r.string(RTAX_CC_ALGO);
  if (cc !== undefined) out.congctl = cc;
  return out as RouteMetrics;
}
