import type { ConfigEnvironment, FileInfo, InterfaceInfo } from '../../../src/config/environment.js';

/**
 * A fake machine: interfaces by name (`noMulticast` ones carry NOARP and no MULTICAST), executable files by path, users by name and config files by
 * path (readable text; `stat` reports them as plain files).
 */
export function fakeEnv(opts: { ifs?: string[]; noMulticast?: string[]; exec?: string[]; users?: string[]; files?: Record<string, string> } = {}): ConfigEnvironment {
  const flags = (n: string): number => (opts.noMulticast?.includes(n) ? 0x0083 : 0x1003);
  const ifs = new Map<string, InterfaceInfo>([...(opts.ifs ?? []), ...(opts.noMulticast ?? [])].map((n, i) => [n, { name: n, index: i + 1, flags: flags(n), type: 1, mac: '', ipv4: [], ipv6: [] }]));
  const exec = new Set(opts.exec ?? []);
  const files = new Map(Object.entries(opts.files ?? {}));
  const dir: FileInfo = { isFile: false, isDirectory: true, isSymlink: false, mode: 0o755, uid: 0, gid: 0 };
  const file: FileInfo = { isFile: true, isDirectory: false, isSymlink: false, mode: 0o755, uid: 0, gid: 0 };
  const users = new Map((opts.users ?? ['root', 'nobody']).map((u, i) => [u, { name: u, uid: u === 'root' ? 0 : 65534 - i, gid: 0 }]));
  const isDir = (p: string): boolean => p === '/' || [...exec, ...files.keys()].some((e) => e.startsWith(`${p}/`));
  return {
    readFile: (p) => files.get(p), glob: (p) => (files.has(p) ? [p] : []),
    stat: (p) => (exec.has(p) || files.has(p) ? file : isDir(p) ? dir : undefined),
    lstat: () => undefined, isExecutable: (p) => exec.has(p), cwd: () => '/', hostname: () => 'corpus',
    getenv: () => undefined, searchPath: () => ['/usr/bin', '/bin'], user: (n) => users.get(n),
    group: () => undefined, interfaces: () => ifs, random: () => 0, euid: () => 0,
  };
}
