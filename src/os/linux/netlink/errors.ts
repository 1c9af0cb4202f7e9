/**
 * Typed errors of the netlink layer. Every error has a stable `code`; decoders throw only
 * NetlinkDecodeError, the client throws the others.
 */
import { constants } from 'node:os';

const errnoNames = new Map<number, string>();
for (const [name, value] of Object.entries(constants.errno)) {
  if (!errnoNames.has(value)) errnoNames.set(value, name);
}

/** The errno name for a positive errno number ("EEXIST" for 17), or "E<number>" if unknown. */
export function errnoName(errno: number): string {
  return errnoNames.get(errno) ?? `E${errno}`;
}

/** Bytes that are not a well-formed netlink message, attribute or structure. */
export class NetlinkDecodeError extends Error {
  readonly code = 'NETLINK_MALFORMED';
  constructor(message: string, readonly offset: number) {
    super(message);
    this.name = 'NetlinkDecodeError';
  }
}

/** A value that cannot be encoded (bad address text, out-of-range number, name too long). */
export class NetlinkEncodeError extends Error {
  readonly code = 'NETLINK_BAD_VALUE';
  constructor(message: string) {
    super(message);
    this.name = 'NetlinkEncodeError';
  }
}

/** The kernel rejected a request: NLMSG_ERROR with a negative errno, plus any extended ACK. */
export class NetlinkKernelError extends Error {
  readonly code = 'NETLINK_KERNEL_ERROR';
  /** Errno name from the kernel ("EEXIST", "ENODEV", ...). */
  readonly errnoName: string;
  constructor(
    readonly errno: number,
    readonly extackMessage: string | undefined,
    readonly extackOffset: number | undefined,
    readonly request: string,
  ) {
    const name = errnoName(errno);
    super(`${request}: ${name}${extackMessage ? ` (${extackMessage})` : ''}`);
    this.name = 'NetlinkKernelError';
    this.errnoName = name;
  }
}

/** No answer from the kernel within the request timeout. */
export class NetlinkTimeoutError extends Error {
  readonly code = 'NETLINK_TIMEOUT';
  constructor(readonly request: string, readonly timeoutMs: number) {
    super(`${request}: no answer from the kernel in ${timeoutMs} ms`);
    this.name = 'NetlinkTimeoutError';
  }
}

/** A socket-level failure (open, send, receive, closed socket, truncated datagram). */
export class NetlinkSocketError extends Error {
  readonly code = 'NETLINK_SOCKET_ERROR';
  constructor(message: string, readonly errnoName: string | undefined) {
    super(message);
    this.name = 'NetlinkSocketError';
  }
}

/** A dump kept being interrupted (NLM_F_DUMP_INTR) by concurrent changes. */
export class NetlinkDumpInterruptedError extends Error {
  readonly code = 'NETLINK_DUMP_INTERRUPTED';
  constructor(readonly request: string, readonly attempts: number) {
    super(`${request}: dump interrupted ${attempts} times by concurrent changes`);
    this.name = 'NetlinkDumpInterruptedError';
  }
}

/** A generic netlink family the kernel does not know (CTRL_CMD_GETFAMILY gave ENOENT). */
export class GenlFamilyNotFoundError extends Error {
  readonly code = 'GENL_FAMILY_NOT_FOUND';
  constructor(readonly family: string) {
    super(`generic netlink family ${family} is not available in this kernel`);
    this.name = 'GenlFamilyNotFoundError';
  }
}

/** The kernel has no IPVS (module not loaded / not built): the IPVS data plane cannot run. */
export class IpvsUnavailableError extends Error {
  readonly code = 'IPVS_UNAVAILABLE';
  constructor(readonly reason: string) {
    super(`IPVS is not available: ${reason}`);
    this.name = 'IpvsUnavailableError';
  }
}

/** A sysctl that could not be read or written. */
export class SysctlError extends Error {
  readonly code = 'SYSCTL_FAILED';
  constructor(readonly path: string, readonly errnoName: string | undefined, message: string) {
    super(message);
    this.name = 'SysctlError';
  }
}
