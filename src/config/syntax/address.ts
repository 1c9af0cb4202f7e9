/**
 * The address syntax of virtual_ipaddress, virtual_ipaddress_excluded and static_ipaddress:
 *   IP[/LEN] [brd IP|+|-] [dev IF] [use_vmac] [scope S] [label L] [peer IP] [home] [-nodad]
 *   [mngtmpaddr] [noprefixroute] [autojoin] [no_track] [preferred_lft N|forever] [track_group G]
 * with keepalived 2.2.7's messages (probed). Pure: returns the address and the messages.
 */
import { parseIp, parseIpPrefix, hostBits4 } from './ip.js';
import type { IpFamily } from './ip.js';
import { readUnsigned } from './numbers.js';

export interface ParsedAddress {
  readonly family: IpFamily;
  readonly address: string;
  readonly prefixLength: number;
  readonly broadcast?: string;
  readonly dev?: string;
  readonly scope?: string;
  readonly label?: string;
  readonly peer?: string;
  readonly flags: ('home' | 'nodad' | 'mngtmpaddr' | 'noprefixroute' | 'autojoin')[];
  readonly useVmac: boolean;
  readonly noTrack: boolean;
  readonly preferredLft?: number | 'forever';
  readonly trackGroup?: string;
}

export interface AddressMessage {
  readonly text: string;
  /** 'number' for keepalived's read_* messages (InvalidNumber class), else a general error. */
  readonly kind: 'number' | 'error';
}

export interface AddressParse {
  readonly address?: ParsedAddress;
  readonly messages: readonly AddressMessage[];
}

const SCOPES = new Set(['site', 'link', 'host', 'nowhere', 'global']);
const FLAG_WORDS: Record<string, ParsedAddress['flags'][number]> = {
  home: 'home', '-nodad': 'nodad', mngtmpaddr: 'mngtmpaddr', noprefixroute: 'noprefixroute', autojoin: 'autojoin',
};

function splitPrefix(word: string, msgs: AddressMessage[]): { addr: string; len?: number } | undefined {
  const slash = word.indexOf('/');
  if (slash < 0) return { addr: word };
  const addr = word.slice(0, slash);
  const ip = parseIp(addr);
  // keepalived checks the prefix length before the address (as IPv4 unless it has a ':')
  const max = (ip?.family ?? (addr.includes(':') ? 6 : 4)) === 4 ? 32 : 128;
  const r = readUnsigned(word.slice(slash + 1), 0, max);
  if (r.ok) return { addr, len: r.value };
  for (const m of r.messages) msgs.push({ text: m, kind: 'number' });
  msgs.push({ text: `Invalid address prefix len ${word.slice(slash + 1)} for address ${word} - using ${max}`, kind: 'error' });
  return { addr, len: max };
}

/** Parses one address line (its tokens). */
export function parseAddressLine(words: readonly string[]): AddressParse {
  const msgs: AddressMessage[] = [];
  const first = words[0] ?? '';
  const split = splitPrefix(first, msgs);
  const ip = split ? parseIp(split.addr) : undefined;
  if (!split || !ip) return { messages: [...msgs, { text: `VRRP parsed invalid IP ${first}. skipping IP...`, kind: 'error' }] };
  const a: { -readonly [K in keyof ParsedAddress]: ParsedAddress[K] } = {
    family: ip.family, address: ip.text, prefixLength: split.len ?? (ip.family === 4 ? 32 : 128),
    flags: [], useVmac: false, noTrack: false,
  };
  let scopeGiven = false;
  let labelGiven = false;
  let brd: string | undefined;
  let dropped = false;
  for (let i = 1; i < words.length; i++) {
    const w = words[i] ?? '';
    const next = words[i + 1];
    const needs = (): string | undefined => {
      if (next === undefined) {
        msgs.push({ text: `No ${w} parameter specified for ${first}`, kind: 'error' });
        dropped = true;
        return undefined;
      }
      i++;
      return next;
    };
    if (w === 'dev') { const v = needs(); if (v !== undefined) a.dev = v; }
    else if (w === 'use_vmac') a.useVmac = true;
    else if (w === 'scope') { const v = needs(); if (v !== undefined) { scopeGiven = true; if (SCOPES.has(v) || /^[0-9]+$/.test(v)) a.scope = v; else msgs.push({ text: `Invalid scope '${v}' specified for ${first} - ignoring`, kind: 'error' }); } }
    else if (w === 'label') { const v = needs(); if (v !== undefined) { labelGiven = true; a.label = v; } }
    else if (w === 'brd' || w === 'broadcast') { const v = needs(); if (v !== undefined) brd = v; }
    else if (w === 'peer') {
      const v = needs();
      if (v === undefined) continue;
      const p = parseIp(v);
      if (!p) {
        msgs.push({ text: `VRRP parsed invalid IP ${v}. skipping IP...`, kind: 'error' });
        msgs.push({ text: `Invalid peer address ${v}`, kind: 'error' });
      } else a.peer = p.text;
    }
    else if (w === 'no_track') a.noTrack = true;
    else if (w === 'preferred_lft') {
      const v = needs();
      if (v === 'forever') a.preferredLft = 'forever';
      else if (v !== undefined) {
        const r = readUnsigned(v, 0, 4294967295);
        if (r.ok) a.preferredLft = r.value;
        else {
          for (const m of r.messages) msgs.push({ text: m, kind: 'number' });
          msgs.push({ text: `preferred_lft ${v} is invalid`, kind: 'error' });
        }
      }
    }
    else if (w === 'track_group') { const v = needs(); if (v !== undefined) a.trackGroup = v; }
    else if (FLAG_WORDS[w] !== undefined) a.flags.push(FLAG_WORDS[w]);
    else msgs.push({ text: `Unknown configuration entry '${w}' for ip address - ignoring`, kind: 'error' });
  }
  if (a.peer !== undefined && split.len !== undefined && a.prefixLength !== (a.family === 4 ? 32 : 128)) {
    msgs.push({ text: 'Cannot specify address prefix when specifying peer address - ignoring', kind: 'error' });
    a.prefixLength = a.family === 4 ? 32 : 128;
  }
  if (brd !== undefined && a.family === 4) {
    if (brd === '+' || brd === '-') a.broadcast = hostBits4(ip, a.prefixLength, brd === '+').text;
    else if (parseIpPrefix(brd)?.family === 4) a.broadcast = brd;
    else msgs.push({ text: `VRRP parsed invalid IP ${brd}. skipping IP...`, kind: 'error' });
  }
  if (a.family === 6 && scopeGiven) { msgs.push({ text: `Cannot specify scope for IPv6 addresses (${first}) - ignoring scope`, kind: 'error' }); delete a.scope; }
  if (a.family === 6 && labelGiven) { msgs.push({ text: `Cannot specify label for IPv6 addresses (${first}) - ignoring label`, kind: 'error' }); delete a.label; }
  // a keyword missing its value drops the whole address
  return dropped ? { messages: msgs } : { address: a, messages: msgs };
}
