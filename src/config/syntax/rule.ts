/**
 * The rule syntax of virtual_rules and static_rules (ip-rule words, as keepalived 2.2.7 reads
 * them):
 *   [not] [from PREFIX] [to PREFIX] [preference|priority|order N] [table|lookup T] [iif|dev IF]
 *   [oif IF] [fwmark V[/M]] [tos T] [realms R] [uidrange A-B] [sport P] [dport P] [ipproto P]
 *   [suppress_prefixlength N] [suppress_ifgroup G] [goto N] [l3mdev] [tunnel-id N] [ACTION]
 *   [no_track] [track_group G]
 * Pure: returns the rule and keepalived's messages (probed with keepalived -t). A rule without a
 * preference is given one by the caller (RulePreferences), as keepalived does.
 */
import type { AddressMessage } from './address.js';
import { parseIpPrefix, type IpFamily } from './ip.js';

export interface ParsedRule {
  readonly family: IpFamily;
  readonly invert: boolean;
  readonly from?: string;
  readonly to?: string;
  readonly preference?: number;
  readonly table?: string;
  readonly iif?: string;
  readonly oif?: string;
  readonly action?: string;
  /** Every other `name value` setting (fwmark, tos, realms, uidrange, goto ...), as written. */
  readonly options: Readonly<Record<string, string>>;
  readonly l3mdev: boolean;
  readonly noTrack: boolean;
  readonly trackGroup?: string;
}

export interface RuleParse {
  readonly rule?: ParsedRule;
  readonly messages: readonly AddressMessage[];
}

const ACTIONS = new Set(['unicast', 'blackhole', 'unreachable', 'prohibit', 'nat', 'nop']);
const ONE_VALUE = new Set(['fwmark', 'tos', 'dsfield', 'realms', 'uidrange', 'sport', 'dport', 'ipproto', 'suppress_prefixlength',
  'suppress_ifgroup', 'sup_pl', 'sup_group', 'goto', 'tunnel-id', 'protocol']);

type Draft = { -readonly [K in keyof ParsedRule]: K extends 'options' ? Record<string, string> : ParsedRule[K] };

function address(word: string, which: 'from' | 'to', d: Partial<Draft>, msgs: AddressMessage[]): boolean {
  const p = word === 'default' || word === 'all' ? parseIpPrefix('0.0.0.0/0') : parseIpPrefix(word);
  if (!p) {
    msgs.push({ text: `VRRP parsed invalid IP ${word}. skipping IP...`, kind: 'error' });
    msgs.push({ text: `Invalid rule ${which} address ${word}`, kind: 'error' });
    return false;
  }
  d[which] = `${p.text}/${p.prefixLength}`;
  d.family = p.family;
  return true;
}

/** Parses one rule line (its tokens). */
export function parseRuleLine(words: readonly string[]): RuleParse {
  const msgs: AddressMessage[] = [];
  const d: Partial<Draft> = { options: {}, invert: false, l3mdev: false, noTrack: false };
  const opts: Record<string, string> = {};
  for (let i = 0; i < words.length; i++) {
    const w = words[i] ?? '';
    const value = (): string => words[++i] ?? '';
    if (w === 'from' || w === 'to') { if (!address(value(), w, d, msgs)) return { messages: msgs }; }
    else if (w === 'not') d.invert = true;
    else if (w === 'preference' || w === 'priority' || w === 'order') d.preference = Number.parseInt(value(), 10);
    else if (w === 'table' || w === 'lookup') d.table = value();
    else if (w === 'iif' || w === 'dev') d.iif = value();
    else if (w === 'oif') d.oif = value();
    else if (w === 'l3mdev') d.l3mdev = true;
    else if (w === 'no_track') d.noTrack = true;
    else if (w === 'track_group') d.trackGroup = value();
    else if (w === 'inet' || w === 'inet6') { d.family = w === 'inet6' ? 6 : 4; i++; }
    else if (ONE_VALUE.has(w)) opts[w] = value();
    else if (ACTIONS.has(w)) d.action = w;
    else if (/^[0-9]/.test(w)) { msgs.push({ text: `Invalid rule action ${w}`, kind: 'error' }); return { messages: msgs }; }
    else { msgs.push({ text: `Unknown rule option ${w}`, kind: 'error' }); return { messages: msgs }; }
  }
  d.options = opts;
  d.family ??= 4;
  return { rule: d as ParsedRule, messages: msgs };
}

/**
 * keepalived gives a rule without a preference the next free one below 16384, counting down per
 * address family over the whole configuration.
 */
export class RulePreferences {
  private next: Record<IpFamily, number> = { 4: 16384, 6: 16384 };

  /** The preference for a rule without one, and keepalived's warning. */
  assign(family: IpFamily): { readonly preference: number; readonly message: string } {
    const preference = this.next[family];
    this.next[family] = preference - 1;
    return { preference, message: `Rule has no preference specified - setting to ${preference}. This is probably not what you want.` };
  }
}
