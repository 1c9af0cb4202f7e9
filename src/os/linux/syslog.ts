/**
 * syslog to /dev/log: an AF_UNIX SOCK_DGRAM socket through the native addon (src/os/linux/native.ts).
 * Messages are RFC 3164 lines as glibc's syslog(3) writes them: "<PRI>Mmm dd hh:mm:ss IDENT[PID]: MSG".
 * When /dev/log is missing or the addon cannot be loaded, the sink is silent (a daemon must not die
 * because syslogd is away); `open` reports why through its result.
 */
import { loadNative, type NativeAddon } from './native.js';

const AF_UNIX = 1;
const SOCK_DGRAM = 2;
const SOCK_CLOEXEC = 0o2000000;
const SUN_PATH_MAX = 108;
const MSG_DONTWAIT = 0x40;
const MSG_NOSIGNAL = 0x4000;

export const DEV_LOG = '/dev/log';

/** struct sockaddr_un for a filesystem path. */
export function sockaddrUn(path: string): Buffer {
  const pathBytes = Buffer.from(path, 'utf8');
  if (pathBytes.length >= SUN_PATH_MAX) throw new RangeError(`unix socket path too long: ${path}`);
  const buf = Buffer.alloc(2 + SUN_PATH_MAX);
  buf.writeUInt16LE(AF_UNIX, 0);
  pathBytes.copy(buf, 2);
  return buf.subarray(0, 2 + pathBytes.length + 1);
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** RFC 3164 timestamp "Nov  5 14:34:52" (local time). */
export function syslogTimestamp(epochMs: number): string {
  const d = new Date(epochMs);
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${MONTHS[d.getMonth()]} ${String(d.getDate()).padStart(2, ' ')} ${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
}

export function formatSyslogLine(facility: number, level: number, ident: string, pid: number, message: string, epochMs: number): string {
  const pri = facility * 8 + level;
  return `<${pri}>${syslogTimestamp(epochMs)} ${ident}[${pid}]: ${message}`;
}

export interface SyslogOptions {
  /** syslog facility number (LOG_DAEMON = 3, LOG_LOCAL0 = 16 ...). */
  readonly facility: number;
  readonly ident: string;
  readonly path?: string;
}

export class SyslogSink {
  private fd: number | undefined;
  private native: NativeAddon | undefined;
  /** Why the sink is silent, when it is. */
  readonly unavailableReason: string | undefined;

  constructor(private readonly options: SyslogOptions) {
    try {
      this.native = loadNative();
      const fd = this.native.socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
      try {
        this.native.connect(fd, sockaddrUn(options.path ?? DEV_LOG));
      } catch (e) {
        this.native.close(fd);
        throw e;
      }
      this.fd = fd;
    } catch (e) {
      this.unavailableReason = e instanceof Error ? e.message : String(e);
    }
  }

  get available(): boolean {
    return this.fd !== undefined;
  }

  write(level: number, message: string, epochMs: number): void {
    if (this.fd === undefined || !this.native) return;
    const line = formatSyslogLine(this.options.facility, level, this.options.ident, process.pid, message, epochMs);
    try {
      this.native.sendmsg(this.fd, Buffer.from(line, 'utf8'), null, null, MSG_DONTWAIT | MSG_NOSIGNAL);
    } catch {
      // syslogd restarted or its queue is full: drop the line, as syslog(3) does
    }
  }

  close(): void {
    if (this.fd !== undefined && this.native) this.native.close(this.fd);
    this.fd = undefined;
  }
}
