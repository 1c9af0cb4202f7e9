/**
 * An in-memory ConfigEnvironment for config tests and benchmarks: files in a map, glob over those
 * files, a fixed host name, interfaces given by name, a seeded random source.
 */
import { posix as path } from 'node:path';
import type { ConfigEnvironment, FileInfo, InterfaceInfo, UserInfo } from '../../src/config/environment.js';
import { globWith } from '../../src/config/preprocess/glob-match.js';

export interface FakeEnvOptions {
  readonly files?: Readonly<Record<string, string>>;
  readonly cwd?: string;
  readonly hostname?: string;
  readonly interfaces?: readonly string[];
  readonly seed?: number;
}

const FILE: FileInfo = { isFile: true, isDirectory: false, isSymlink: false, mode: 0o644, uid: 0, gid: 0 };
const DIR: FileInfo = { isFile: false, isDirectory: true, isSymlink: false, mode: 0o755, uid: 0, gid: 0 };

export class FakeConfigEnvironment implements ConfigEnvironment {
  readonly files = new Map<string, string>();
  private readonly cwdPath: string;
  private readonly host: string;
  private readonly ifaces = new Map<string, InterfaceInfo>();
  private seed: number;

  constructor(opts: FakeEnvOptions = {}) {
    this.cwdPath = opts.cwd ?? '/etc/keepalived';
    this.host = opts.hostname ?? 'node1.example.org';
    this.seed = opts.seed ?? 1;
    for (const [p, text] of Object.entries(opts.files ?? {})) this.files.set(this.abs(p), text);
    (opts.interfaces ?? ['eth0']).forEach((name, i) => {
      this.ifaces.set(name, {
        name, index: i + 2, flags: 0x1 | 0x2 | 0x40 | 0x1000, type: 1,
        mac: `02:00:00:00:00:${(i + 1).toString(16).padStart(2, '0')}`, ipv4: [`192.0.2.${i + 1}`], ipv6: [`fe80::${i + 1}`],
      });
    });
  }

  abs(p: string): string {
    return p.startsWith('/') ? path.normalize(p) : path.join(this.cwdPath, p);
  }

  private isDir(p: string): boolean {
    const prefix = p.endsWith('/') ? p : `${p}/`;
    for (const f of this.files.keys()) if (f.startsWith(prefix)) return true;
    return false;
  }

  readFile(p: string): string | undefined {
    return this.files.get(this.abs(p));
  }

  glob(pattern: string): string[] {
    const absolute = pattern.startsWith('/');
    const found = globWith(this.abs(pattern), (dir) => this.list(dir), (p) => this.files.has(p) || this.isDir(p));
    return absolute ? found : found.map((f) => path.relative(this.cwdPath, f));
  }

  private list(dir: string): string[] {
    const prefix = dir.endsWith('/') ? dir : `${dir}/`;
    const names = new Set<string>();
    for (const f of this.files.keys()) if (f.startsWith(prefix)) names.add(f.slice(prefix.length).split('/')[0] ?? '');
    return [...names];
  }

  stat(p: string): FileInfo | undefined {
    const a = this.abs(p);
    if (this.files.has(a)) return FILE;
    return this.isDir(a) ? DIR : undefined;
  }

  lstat(p: string): FileInfo | undefined {
    return this.stat(p);
  }

  isExecutable(p: string): boolean {
    return this.files.has(this.abs(p));
  }

  cwd(): string {
    return this.cwdPath;
  }

  hostname(): string {
    return this.host;
  }

  getenv(): string | undefined {
    return undefined;
  }

  searchPath(): string[] {
    return ['/usr/bin', '/bin'];
  }

  user(nameOrUid: string): UserInfo | undefined {
    return nameOrUid === 'root' || nameOrUid === '0' ? { name: 'root', uid: 0, gid: 0 } : undefined;
  }

  group(nameOrGid: string): { readonly name: string; readonly gid: number } | undefined {
    return nameOrGid === 'root' || nameOrGid === '0' ? { name: 'root', gid: 0 } : undefined;
  }

  interfaces(): ReadonlyMap<string, InterfaceInfo> {
    return this.ifaces;
  }

  /** A small linear congruential generator (deterministic tests). */
  random(): number {
    this.seed = (this.seed * 1103515245 + 12345) & 0x7fffffff;
    return (this.seed >> 16) & 0x7fff;
  }

  euid(): number {
    return 0;
  }
}
