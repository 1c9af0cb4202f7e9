/**
 * Per-instance statistics with keepalived's counter names, and the text of keepalived's stats
 * dump (SIGUSR2, keepalived.stats; keepalived-behaviour §4.1). Rejections that keepalived does not
 * count (checksum, version, IP header) are kept under our own names and shown only in our extra
 * section, so the keepalived part of the file stays comparable line by line.
 */
import type { VrrpRejectReason } from './packet-types.js';
import type { VrrpCounter } from './state-machine-types.js';

export const KEEPALIVED_STAT_NAMES = [
  'advert_rcvd', 'advert_sent', 'become_master', 'release_master',
  'packet_len_err', 'advert_interval_err', 'ip_ttl_err', 'invalid_type_rcvd', 'addr_list_err',
  'invalid_authtype', 'authtype_mismatch', 'auth_failure',
  'auth_ext_missing', 'auth_ext_malformed', 'auth_ext_unknown_key', 'auth_ext_invalid_hmac', 'auth_ext_stale', 'auth_ext_replay',
  'pri_zero_rcvd', 'pri_zero_sent',
] as const;

export type KeepalivedStatName = (typeof KEEPALIVED_STAT_NAMES)[number];

/** Our extra counters: drops keepalived logs without counting. */
export const EXTRA_STAT_NAMES = ['checksum_err', 'version_mismatch', 'ip_header_err', 'owner_ignore_adverts', 'unicast_src_err', 'send_err'] as const;
export type ExtraStatName = (typeof EXTRA_STAT_NAMES)[number];

export type StatName = KeepalivedStatName | ExtraStatName;

export class VrrpStats {
  private readonly values = new Map<StatName, number>();

  get(name: StatName): number {
    return this.values.get(name) ?? 0;
  }

  increment(name: StatName): void {
    this.values.set(name, this.get(name) + 1);
  }

  count(counter: VrrpCounter): void {
    this.increment(counter);
  }

  /**
   * Counts a rejected advert; returns false for drops that are not errors (another VRID on the
   * same socket, an instance not listening).
   */
  countReject(reason: VrrpRejectReason): boolean {
    if (reason === 'unknown_vrid' || reason === 'not_listening') return false;
    this.increment(reason);
    return true;
  }

  snapshot(): Readonly<Record<StatName, number>> {
    const out = {} as Record<StatName, number>;
    for (const name of [...KEEPALIVED_STAT_NAMES, ...EXTRA_STAT_NAMES]) out[name] = this.get(name);
    return out;
  }
}

/** One instance's block of keepalived's stats file. */
export function formatInstanceStats(name: string, stats: VrrpStats): string {
  const s = (n: StatName): string => String(stats.get(n));
  return [
    `VRRP Instance: ${name}`,
    '  Advertisements:',
    `    Received: ${s('advert_rcvd')}`,
    `    Sent: ${s('advert_sent')}`,
    `  Became master: ${s('become_master')}`,
    `  Released master: ${s('release_master')}`,
    '  Packet Errors:',
    `    Length: ${s('packet_len_err')}`,
    `    TTL: ${s('ip_ttl_err')}`,
    `    Invalid Type: ${s('invalid_type_rcvd')}`,
    `    Advertisement Interval: ${s('advert_interval_err')}`,
    `    Address List: ${s('addr_list_err')}`,
    '  Authentication Errors:',
    `    Invalid Type: ${s('invalid_authtype')}`,
    `    Type Mismatch: ${s('authtype_mismatch')}`,
    `    Failure: ${s('auth_failure')}`,
    '  Authentication Extension Errors:',
    `    Missing: ${s('auth_ext_missing')}`,
    `    Malformed: ${s('auth_ext_malformed')}`,
    `    Unknown Key: ${s('auth_ext_unknown_key')}`,
    `    Invalid HMAC: ${s('auth_ext_invalid_hmac')}`,
    `    Stale: ${s('auth_ext_stale')}`,
    `    Replay: ${s('auth_ext_replay')}`,
    '  Priority Zero:',
    `    Received: ${s('pri_zero_rcvd')}`,
    `    Sent: ${s('pri_zero_sent')}`,
    '  keepalived-ts drops:',
    `    Checksum: ${s('checksum_err')}`,
    `    Version: ${s('version_mismatch')}`,
    `    IP Header: ${s('ip_header_err')}`,
    `    Send Errors: ${s('send_err')}`,
  ].join('\n');
}

/** The daemon's own block of the stats file (after the instances): drops no instance owns. */
export function formatDaemonStats(unknownVrids: number): string {
  return ['keepalived-ts daemon drops:', `  Unknown VRID: ${unknownVrids}`].join('\n');
}
