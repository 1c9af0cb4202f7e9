/**
 * The real ConfigEnvironment (src/config/environment.ts): files, glob, stat, access(X_OK),
 * /etc/passwd and /etc/group, interfaces from /sys/class/net plus their addresses, hostname.
 * Everything is synchronous by contract; the daemon calls it from a worker thread on reload.
 */
import { accessSync, constants, lstatSync, readFileSync, readdirSync, statSync, type Stats } from 'node:fs';
import { hostname, networkInterfaces } from 'node:os';
import { delimiter } from 'node:path';
import type { ConfigEnvironment, FileInfo, InterfaceInfo, UserInfo } from '../../config/environment.js';
import { globSync } from './config-glob.js';

const SYS_NET = '/sys/class/net';

function toInfo(s: Stats): FileInfo {
  return {
    isFile: s.isFile(),
    isDirectory: s.isDirectory(),
    isSymlink: s.isSymbolicLink(),
    mode: s.mode & 0o7777,
    uid: s.uid,
    gid: s.gid,
  };
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'latin1');
  } catch {
    return undefined;
  }
}

function readSysValue(ifname: string, attr: string): string {
  return (readText(`${SYS_NET}/${ifname}/${attr}`) ?? '').trim();
}

/** Rows of a colon-separated database (/etc/passwd, /etc/group). */
function readDatabase(path: string): string[][] {
  const text = readText(path) ?? '';
  return text
    .split('\n')
    .filter((l) => l.length > 0 && !l.startsWith('#'))
    .map((l) => l.split(':'));
}

function findRow(rows: string[][], nameOrId: string, idColumn: number): string[] | undefined {
  const numeric = /^[0-9]+$/.test(nameOrId);
  return rows.find((r) => (numeric ? r[idColumn] === nameOrId : r[0] === nameOrId));
}

/** IPv6 addresses per interface from /proc/net/if_inet6 (32 hex digits, ..., name). */
function readIpv6ByInterface(): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const line of (readText('/proc/net/if_inet6') ?? '').split('\n')) {
    const f = line.trim().split(/\s+/);
    const hex = f[0];
    const name = f[5];
    if (!hex || hex.length !== 32 || !name) continue;
    const groups = hex.match(/.{4}/g) ?? [];
    const addr = compressIpv6(groups.map((g) => g.replace(/^0+(?=.)/, '')));
    const list = out.get(name) ?? [];
    list.push(addr);
    out.set(name, list);
  }
  return out;
}

/** RFC 5952 text of 8 groups (longest run of >= 2 zero groups becomes '::'). */
export function compressIpv6(groups: readonly string[]): string {
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < groups.length; ) {
    if (groups[i] !== '0') { i++; continue; }
    let j = i;
    while (j < groups.length && groups[j] === '0') j++;
    if (j - i > bestLen && j - i >= 2) { bestStart = i; bestLen = j - i; }
    i = j;
  }
  if (bestStart < 0) return groups.join(':');
  const head = groups.slice(0, bestStart).join(':');
  const tail = groups.slice(bestStart + bestLen).join(':');
  return `${head}::${tail}`;
}

function readIpv4ByInterface(): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [label, addrs] of Object.entries(networkInterfaces())) {
    const name = label.split(':')[0] ?? label;
    for (const a of addrs ?? []) {
      if (a.family !== 'IPv4') continue;
      const list = out.get(name) ?? [];
      if (!list.includes(a.address)) list.push(a.address);
      out.set(name, list);
    }
  }
  return out;
}

/** Network interfaces of the current network namespace. */
export function readInterfaces(): Map<string, InterfaceInfo> {
  const out = new Map<string, InterfaceInfo>();
  let names: string[];
  try {
    names = readdirSync(SYS_NET);
  } catch {
    return out;
  }
  const v4 = readIpv4ByInterface();
  const v6 = readIpv6ByInterface();
  for (const name of names.sort()) {
    const index = Number(readSysValue(name, 'ifindex'));
    if (!Number.isInteger(index) || index <= 0) continue;
    out.set(name, {
      name,
      index,
      flags: Number.parseInt(readSysValue(name, 'flags') || '0', 16),
      type: Number(readSysValue(name, 'type') || '0'),
      mac: readSysValue(name, 'address').toLowerCase(),
      ipv4: v4.get(name) ?? [],
      ipv6: v6.get(name) ?? [],
    });
  }
  return out;
}

export class LinuxConfigEnvironment implements ConfigEnvironment {
  private interfaceCache: Map<string, InterfaceInfo> | undefined;

  readFile(path: string): string | undefined {
    return readText(path);
  }

  glob(pattern: string): string[] {
    return globSync(pattern);
  }

  stat(path: string): FileInfo | undefined {
    try {
      return toInfo(statSync(path));
    } catch {
      return undefined;
    }
  }

  lstat(path: string): FileInfo | undefined {
    try {
      return toInfo(lstatSync(path));
    } catch {
      return undefined;
    }
  }

  isExecutable(path: string): boolean {
    try {
      accessSync(path, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  }

  cwd(): string {
    return process.cwd();
  }

  hostname(): string {
    return hostname();
  }

  getenv(name: string): string | undefined {
    return process.env[name];
  }

  searchPath(): string[] {
    return (process.env['PATH'] ?? '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin')
      .split(delimiter)
      .filter((d) => d.length > 0);
  }

  user(nameOrUid: string): UserInfo | undefined {
    const row = findRow(readDatabase('/etc/passwd'), nameOrUid, 2);
    if (!row || row[0] === undefined) return undefined;
    return { name: row[0], uid: Number(row[2]), gid: Number(row[3]) };
  }

  group(nameOrGid: string): { readonly name: string; readonly gid: number } | undefined {
    const row = findRow(readDatabase('/etc/group'), nameOrGid, 2);
    if (!row || row[0] === undefined) return undefined;
    return { name: row[0], gid: Number(row[2]) };
  }

  interfaces(): ReadonlyMap<string, InterfaceInfo> {
    this.interfaceCache ??= readInterfaces();
    return this.interfaceCache;
  }

  random(): number {
    return Math.floor(Math.random() * 32768);
  }

  euid(): number {
    return process.geteuid?.() ?? 0;
  }
}
