/**
 * IPVS statistics nested in services and destinations: IPVS_*_ATTR_STATS has u32 counters with
 * u64 byte counts; IPVS_*_ATTR_STATS64 has every counter as u64.
 */
import {
  IPVS_STATS_ATTR_CONNS, IPVS_STATS_ATTR_CPS, IPVS_STATS_ATTR_INBPS, IPVS_STATS_ATTR_INBYTES, IPVS_STATS_ATTR_INPKTS,
  IPVS_STATS_ATTR_INPPS, IPVS_STATS_ATTR_OUTBPS, IPVS_STATS_ATTR_OUTBYTES, IPVS_STATS_ATTR_OUTPKTS, IPVS_STATS_ATTR_OUTPPS,
} from './ipvs-constants.js';
import { AttributeReader } from './attributes.js';
import { IpvsStats } from './ipvs-types.js';

const statKeys: ReadonlyArray<readonly [keyof IpvsStats, number, boolean]> = [
  ['conns', IPVS_STATS_ATTR_CONNS, false], ['inPackets', IPVS_STATS_ATTR_INPKTS, false],
  ['outPackets', IPVS_STATS_ATTR_OUTPKTS, false], ['inBytes', IPVS_STATS_ATTR_INBYTES, true],
  ['outBytes', IPVS_STATS_ATTR_OUTBYTES, true], ['cps', IPVS_STATS_ATTR_CPS, false], ['inPps', IPVS_STATS_ATTR_INPPS, false],
  ['outPps', IPVS_STATS_ATTR_OUTPPS, false], ['inBps', IPVS_STATS_ATTR_INBPS, false], ['outBps', IPVS_STATS_ATTR_OUTBPS, false],
];

/** Prefers STATS64 (all u64); falls back to STATS (u32 counters, u64 bytes). */
export function decodeStats(stats64: AttributeReader | undefined, stats32: AttributeReader | undefined): IpvsStats | undefined {
  const out: Record<string, bigint> = {};
  if (stats64 !== undefined) {
    for (const [key, type] of statKeys) out[key] = stats64.u64(type) ?? 0n;
  } else if (stats32 !== undefined) {
    for (const [key, type, wide] of statKeys) out[key] = wide ? stats32.u64(type) ?? 0n : BigInt(stats32.u32(type) ?? 0);
  } else {
    return undefined;
  }
  return out as unknown as IpvsStats;
}
