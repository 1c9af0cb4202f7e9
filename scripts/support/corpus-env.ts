/**
 * The ConfigEnvironment of one corpus verdict run (see /work/shared/corpus/keepalived-conf/README.md
 * "How the verdicts were produced"): the interfaces of interfaces.tsv for that config plus lo,
 * host name "corpus", cwd /mnt/keepalived-conf (mapped onto the corpus folder), an empty /tmp,
 * euid 0, and everything else from the real machine.
 */
import { posix as path } from 'node:path';
import type { ConfigEnvironment, FileInfo, InterfaceInfo, UserInfo } from '../../src/config/environment.js';
import { LinuxConfigEnvironment } from '../../src/os/linux/config-environment.js';

/** Where the verdict script mounted the corpus. */
export const CORPUS_MOUNT = '/mnt/keepalived-conf';

const IFF_UP = 0x1;
const IFF_BROADCAST = 0x2;
const IFF_LOOPBACK = 0x8;
const IFF_RUNNING = 0x40;
const IFF_MULTICAST = 0x1000;

/** The address block of the i-th link (1-based), as verdicts.sh assigns it. */
function ipv4For(i: number): string {
  if (i <= 254) return `192.0.2.${i}`;
  if (i <= 508) return `198.51.100.${i - 254}`;
  return `203.0.113.${i - 508}`;
}

export function corpusInterfaces(names: readonly string[]): Map<string, InterfaceInfo> {
  const out = new Map<string, InterfaceInfo>();
  out.set('lo', {
    name: 'lo', index: 1, flags: IFF_UP | IFF_LOOPBACK | IFF_RUNNING, type: 772, mac: '00:00:00:00:00:00',
    ipv4: ['127.0.0.1'], ipv6: ['::1'],
  });
  names.forEach((name, k) => {
    const i = k + 1;
    const hh = ((i >> 8) & 0xff).toString(16).padStart(2, '0');
    const ll = (i & 0xff).toString(16).padStart(2, '0');
    out.set(name, {
      name, index: i + 1, flags: IFF_UP | IFF_BROADCAST | IFF_RUNNING | IFF_MULTICAST, type: 1,
      mac: `02:00:00:00:${hh}:${ll}`, ipv4: [ipv4For(i)], ipv6: [`fe80::${i.toString(16)}`],
    });
  });
  return out;
}

export class CorpusEnvironment implements ConfigEnvironment {
  private readonly ifaces: Map<string, InterfaceInfo>;

  constructor(
    private readonly real: ConfigEnvironment,
    private readonly corpusDir: string,
    interfaceNames: readonly string[],
  ) {
    this.ifaces = corpusInterfaces(interfaceNames);
  }

  /** Real path of a path as the verdict run saw it, or undefined for the empty /tmp. */
  private map(p: string): string | undefined {
    const abs = p.startsWith('/') ? path.normalize(p) : path.join(CORPUS_MOUNT, p);
    if (abs === '/tmp' || abs.startsWith('/tmp/')) return abs === '/tmp' ? abs : undefined;
    if (abs === CORPUS_MOUNT || abs.startsWith(`${CORPUS_MOUNT}/`)) return this.corpusDir + abs.slice(CORPUS_MOUNT.length);
    return abs;
  }

  private unmap(real: string): string {
    return real.startsWith(`${this.corpusDir}/`) ? CORPUS_MOUNT + real.slice(this.corpusDir.length) : real;
  }

  readFile(p: string): string | undefined {
    const m = this.map(p);
    return m === undefined ? undefined : this.real.readFile(m);
  }

  glob(pattern: string): string[] {
    const m = this.map(pattern);
    return m === undefined ? [] : this.real.glob(m).map((r) => this.unmap(r));
  }

  stat(p: string): FileInfo | undefined {
    const m = this.map(p);
    return m === undefined ? undefined : this.real.stat(m);
  }

  lstat(p: string): FileInfo | undefined {
    const m = this.map(p);
    return m === undefined ? undefined : this.real.lstat(m);
  }

  isExecutable(p: string): boolean {
    const m = this.map(p);
    return m !== undefined && this.real.isExecutable(m);
  }

  cwd(): string {
    return CORPUS_MOUNT;
  }

  hostname(): string {
    return 'corpus';
  }

  getenv(name: string): string | undefined {
    return this.real.getenv(name);
  }

  searchPath(): string[] {
    return this.real.searchPath();
  }

  user(nameOrUid: string): UserInfo | undefined {
    return this.real.user(nameOrUid);
  }

  group(nameOrGid: string): { readonly name: string; readonly gid: number } | undefined {
    return this.real.group(nameOrGid);
  }

  interfaces(): ReadonlyMap<string, InterfaceInfo> {
    return this.ifaces;
  }

  random(): number {
    return this.real.random();
  }

  euid(): number {
    return 0;
  }
}

/** A cached real environment (user/group/file look-ups are the machine's). */
export function realEnvironment(): ConfigEnvironment {
  return new LinuxConfigEnvironment();
}
