/**
 * The contract of the N-API addon in native/ (the only C in the project). It exposes system calls
 * and nothing protocol-specific: every address, option value and message is a Buffer built in
 * TypeScript. Misuse never aborts the process: it throws a NativeError carrying the errno name.
 */
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

/** Result of recvmsg: `bytes` were written into the caller's buffer. */
export interface RecvResult {
  readonly bytes: number;
  /** The source address as a raw struct sockaddr_* (decode with sockaddr.ts). */
  readonly address: Buffer;
  /** Raw ancillary data (struct cmsghdr sequence; decode with cmsg.ts). */
  readonly control: Buffer;
  /** msg_flags (MSG_TRUNC 0x20, MSG_CTRUNC 0x8). */
  readonly flags: number;
}

export interface PollHandle {
  /** Stop watching and release the libuv handle. Idempotent. */
  close(): void;
}

export interface NativeAddon {
  socket(domain: number, type: number, protocol: number): number;
  bind(fd: number, address: Buffer): void;
  connect(fd: number, address: Buffer): void;
  setsockopt(fd: number, level: number, name: number, value: Buffer): void;
  getsockopt(fd: number, level: number, name: number, length: number): Buffer;
  /**
   * Non-blocking sendmsg (MSG_DONTWAIT|MSG_NOSIGNAL are always added); returns bytes sent.
   * `address` null for connected sockets. A full socket buffer throws code EAGAIN.
   */
  sendmsg(fd: number, data: Buffer, address: Buffer | null, control: Buffer | null, flags: number): number;
  /** Non-blocking recvmsg into `buffer`; null when nothing is waiting (EAGAIN). */
  recvmsg(fd: number, buffer: Buffer, controlLength: number, flags: number): RecvResult | null;
  /**
   * Allocation-free recvmsg for hot paths (extension): the source address goes into `name`, the
   * ancillary data into `control` (either may be null), and `meta` (an Int32Array of length >= 3)
   * receives [nameLength, controlLength, msgFlags]. Returns the byte count, or -1 on EAGAIN.
   */
  recvmsgInto(fd: number, buffer: Uint8Array, name: Uint8Array | null, control: Uint8Array | null, meta: Int32Array, flags: number): number;
  /** getsockname as raw struct sockaddr. */
  getsockname(fd: number): Buffer;
  close(fd: number): void;
  /** Calls `onReadable` on the libuv loop whenever `fd` is readable (uv_poll, UV_READABLE). */
  poll(fd: number, onReadable: (error: string | null) => void): PollHandle;
  /**
   * Non-blocking connect (extension): 0 when connected at once, -1 while in progress
   * (EINPROGRESS); any other failure throws.
   */
  connectStart(fd: number, address: Buffer): number;
  /** Non-blocking send on a connected stream (extension): bytes sent, -1 when it would block. */
  send(fd: number, data: Uint8Array): number;
  /** Non-blocking recv (extension): bytes received (0 = end of stream), -1 when nothing waits. */
  recv(fd: number, buffer: Uint8Array): number;
  /** epoll_create1(EPOLL_CLOEXEC) (extension): a private epoll set, watched with poll(). */
  epollCreate(): number;
  /** epoll_ctl (extension): op 1 ADD, 2 DEL, 3 MOD; the event data is `fd` itself. */
  epollCtl(epfd: number, op: number, fd: number, events: number): void;
  /**
   * epoll_wait with timeout 0 (extension): writes [fd, events] pairs into `out` (at most
   * out.length / 2, at most 1024) and returns how many sockets are ready.
   */
  epollWaitInto(epfd: number, out: Int32Array): number;
  /** setns(2) for the calling thread (fd of /run/netns/NAME, nstype CLONE_NEWNET 0x40000000). */
  setns(fd: number, nstype: number): void;
  /** if_nametoindex; 0 when there is no such interface. */
  ifNameToIndex(name: string): number;
  /** if_indextoname (extension); null when there is no such interface. */
  ifIndexToName(index: number): string | null;
  /** timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK|TFD_CLOEXEC) (extension); watch it with poll(). */
  timerfdCreate(): number;
  /** Arms the timerfd at an absolute CLOCK_MONOTONIC time (0, 0 disarms). */
  timerfdSet(fd: number, seconds: number, nanoseconds: number): void;
  /** Reads (clears) the expiration count; 0 when none is pending. */
  timerfdRead(fd: number): number;
  /** sched_setscheduler for thread `tid` (0: the calling thread); `resetOnFork` adds SCHED_RESET_ON_FORK. */
  schedSetScheduler(tid: number, policy: number, priority: number, resetOnFork: boolean): void;
  /** setpriority(PRIO_PROCESS, tid, nice): on Linux one thread (0: the calling one). */
  setPriority(tid: number, nice: number): void;
  /** sched_setaffinity for thread `tid` (0: the calling thread). */
  schedSetAffinity(tid: number, cpus: readonly number[]): void;
  /** setrlimit(RLIMIT_RTTIME) in microseconds; -1 is unlimited. */
  setRlimitRttime(soft: number, hard: number): void;
}

/**
 * Error thrown by the addon: `code` is the errno name ("EBADF", "EPERM", ...), `errno` the positive
 * errno value, `syscall` the failing call. Wrong argument types throw code EINVAL. Sockets are
 * always created with SOCK_NONBLOCK|SOCK_CLOEXEC; close(fd) first stops any poller on that fd.
 */
export interface NativeError extends Error {
  readonly code: string;
  readonly errno: number;
  readonly syscall: string;
}

let cached: NativeAddon | undefined;

/** Loads native/build/Release/keepalived_native.node (built by `npm ci`). */
export function loadNative(): NativeAddon {
  if (cached) return cached;
  const here = dirname(fileURLToPath(import.meta.url));
  // dist/src/os/linux -> repository root
  const root = join(here, '..', '..', '..', '..');
  const require = createRequire(import.meta.url);
  cached = require(join(root, 'native', 'build', 'Release', 'keepalived_native.node')) as NativeAddon;
  return cached;
}

export function isNativeError(e: unknown): e is NativeError {
  return e instanceof Error && typeof (e as { code?: unknown }).code === 'string' && typeof (e as { errno?: unknown }).errno === 'number';
}
