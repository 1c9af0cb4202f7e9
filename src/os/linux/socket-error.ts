/**
 * The error of the socket layer: `code` is the errno name ("EBADF", "EAGAIN", ...), `syscall` the
 * failing call. Errors thrown by the addon are converted with fromNative.
 */
import { isNativeError } from './native.js';

const ERRNO_BY_NAME: Readonly<Record<string, number>> = {
  EPERM: 1, ENOENT: 2, EINTR: 4, EBADF: 9, EAGAIN: 11, ENOMEM: 12, EACCES: 13, EEXIST: 17, ENODEV: 19,
  EINVAL: 22, EMSGSIZE: 90, EAFNOSUPPORT: 97, EADDRNOTAVAIL: 99, ENETUNREACH: 101, ECONNREFUSED: 111,
  EHOSTUNREACH: 113, ETIMEDOUT: 110,
};

export class SocketError extends Error {
  override readonly name = 'SocketError';
  readonly errno: number;

  constructor(readonly code: string, readonly syscall: string, message?: string, errno?: number) {
    super(message ?? `${syscall} ${code}`);
    this.errno = errno ?? ERRNO_BY_NAME[code] ?? 0;
  }

  /** Converts anything the addon threw; non-native errors are returned unchanged. */
  static fromNative(error: unknown): unknown {
    if (error instanceof SocketError || !isNativeError(error)) return error;
    return new SocketError(error.code, error.syscall, error.message, error.errno);
  }
}

export function isSocketError(error: unknown, code?: string): error is SocketError {
  return error instanceof SocketError && (code === undefined || error.code === code);
}
