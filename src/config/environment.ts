/**
 * What the config pipeline needs to know about the machine it will run on. The pipeline itself is
 * pure and synchronous given this port: the Linux implementation lives in src/os/linux, tests use
 * a fake. (The daemon runs the pipeline in a worker thread on reload so that the VRRP path is never
 * blocked by file reads.)
 */

export interface FileInfo {
  readonly isFile: boolean;
  readonly isDirectory: boolean;
  readonly isSymlink: boolean;
  /** Permission bits (mode & 0o7777). */
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
}

export interface InterfaceInfo {
  readonly name: string;
  readonly index: number;
  /** IFF_* flags (IFF_UP 0x1, IFF_BROADCAST 0x2, IFF_LOOPBACK 0x8, IFF_NOARP 0x80, IFF_MULTICAST 0x1000). */
  readonly flags: number;
  /** ARPHRD_* link type (1 = Ethernet, 772 = loopback). */
  readonly type: number;
  /** Hardware address as lowercase hex bytes joined by ':' (empty for none). */
  readonly mac: string;
  readonly ipv4: readonly string[];
  readonly ipv6: readonly string[];
}

export interface UserInfo {
  readonly name: string;
  readonly uid: number;
  readonly gid: number;
}

export interface ConfigEnvironment {
  /** Text of a file, or undefined when it cannot be read. Paths are absolute or relative to cwd(). */
  readFile(path: string): string | undefined;
  /** Paths matching a glob pattern (sorted, as glob(3)). */
  glob(pattern: string): string[];
  /** stat(2) (following links) of a path, or undefined if it does not exist. */
  stat(path: string): FileInfo | undefined;
  /** lstat(2) of a path, or undefined if it does not exist. */
  lstat(path: string): FileInfo | undefined;
  /** access(path, X_OK) for the running user. */
  isExecutable(path: string): boolean;
  cwd(): string;
  /** The host name (as uname -n); the default config id is its part before the first '.'. */
  hostname(): string;
  getenv(name: string): string | undefined;
  /** Directories of $PATH, for scripts named without a '/'. */
  searchPath(): string[];
  user(nameOrUid: string): UserInfo | undefined;
  group(nameOrGid: string): { readonly name: string; readonly gid: number } | undefined;
  /** Network interfaces of the namespace we run in. */
  interfaces(): ReadonlyMap<string, InterfaceInfo>;
  /** Uniform random integer in [0, 32767] (for ${_RANDOM}); seeded by random_seed when set. */
  random(): number;
  /** Effective uid of the process. */
  euid(): number;
}
