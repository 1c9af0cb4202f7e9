/**
 * FILE_CHECK: the number in a tracked file (track_file NAME { file PATH }) decides the checker, as
 * keepalived 2.2.7 does for real servers:
 *
 *   value     the first 127 bytes read as C strtol(text, 0): leading space, sign, 0x.. hex,
 *             0.. octal, else decimal, up to the first other character; no digits, an empty or
 *             missing file: 0. A value outside [-2^31, 2^31] is logged and ignored (the previous
 *             value stays).
 *   weight 0  the checker is down when value != 0 (reverse: when value == 0).
 *   weight W  status = value * W (* -1 with reverse), limited to the int range; down when status
 *             reaches INT_MIN (IPVS_WEIGHT_FAULT); otherwise up, and with `dynamic` the real
 *             server's weight becomes its configured weight + status.
 *
 * keepalived re-reads the file on inotify events; here one attempt reads it once (the wiring may
 * trigger attempts from a file watch). The reading goes through a port, never sync I/O.
 */
import type { FileChecker } from '../../config/model/lvs.js';
import type { Probe, ProbeResult } from '../probe.js';

export interface FileCheckPorts {
  /** The track_file's `file` path, resolved by the wiring from FileChecker.trackFile. */
  readonly path: string;
  /** Up to `maxBytes` of the file; undefined when it does not exist or cannot be read. */
  readonly readFile: (path: string, maxBytes: number) => Promise<Uint8Array | undefined>;
  /** The real server's configured weight (base of a `dynamic` weight). */
  readonly realServerWeight: number;
}

export const INT32_MIN = -2147483648;
export const INT32_MAX = 2147483647;
/** keepalived reads the file into a 128-byte buffer. */
export const TRACK_FILE_READ_BYTES = 127;

export function createFileCheckProbe(config: FileChecker, ports: FileCheckPorts): Probe {
  let lastValue = 0;
  return async () => {
    const bytes = await ports.readFile(ports.path, TRACK_FILE_READ_BYTES).catch(() => undefined);
    const read = readTrackFileValue(bytes);
    if (read.ok) lastValue = read.value;
    const result = evaluateTrackFile(lastValue, config, ports.realServerWeight);
    if (!read.ok && result.ok) return { ...result, detail: `${read.reason}; ${result.detail ?? ''}` };
    return result;
  };
}

export type TrackFileRead = { readonly ok: true; readonly value: number } | { readonly ok: false; readonly reason: string };

/** The number in the file's first bytes; a missing or empty file reads as 0. */
export function readTrackFileValue(bytes: Uint8Array | undefined): TrackFileRead {
  if (!bytes || bytes.length === 0) return { ok: true, value: 0 };
  const text = Buffer.from(bytes.subarray(0, TRACK_FILE_READ_BYTES)).toString('latin1');
  const nul = text.indexOf('\0');
  const value = strtolBase0(nul >= 0 ? text.slice(0, nul) : text);
  if (value === undefined || value < BigInt(INT32_MIN) || value > BigInt(INT32_MAX) + 1n) {
    return { ok: false, reason: `Invalid number ${value === undefined ? 'out of range' : String(value)} read from track file - ignoring` };
  }
  return { ok: true, value: Number(value) };
}

/** C strtol(text, NULL, 0) on a 64-bit long; undefined on overflow (ERANGE). */
export function strtolBase0(text: string): bigint | undefined {
  const m = /^[ \t\n\v\f\r]*([+-]?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)?/.exec(text);
  const digits = m?.[2];
  if (digits === undefined) return 0n;
  const magnitude = /^0[xX]/.test(digits) ? BigInt(digits) : digits.startsWith('0') && digits.length > 1 ? BigInt(`0o${digits.slice(1)}`) : BigInt(digits);
  const value = m?.[1] === '-' ? -magnitude : magnitude;
  if (value < -(2n ** 63n) || value > 2n ** 63n - 1n) return undefined;
  return value;
}

/** Pure: the checker state for a file value. */
export function evaluateTrackFile(value: number, config: Pick<FileChecker, 'weight' | 'reverse' | 'dynamic'>, realServerWeight: number): ProbeResult {
  if (config.weight === 0) {
    const down = (value !== 0) !== config.reverse;
    return down
      ? { ok: false, failure: 'file-failed', reason: `tracked file value ${value} means down (weight 0${config.reverse ? ', reverse' : ''})` }
      : { ok: true, detail: `value ${value}` };
  }
  const status = clampInt32(BigInt(value) * BigInt(config.weight) * (config.reverse ? -1n : 1n));
  if (status <= INT32_MIN) return { ok: false, failure: 'file-failed', reason: `tracked file now FAULT state (value ${value})` };
  if (!config.dynamic) return { ok: true, detail: `value ${value}, status ${status}` };
  const weight = Math.min(INT32_MAX, Math.max(0, realServerWeight + status));
  return { ok: true, weight, detail: `value ${value}, status ${status}` };
}

function clampInt32(v: bigint): number {
  if (v < BigInt(INT32_MIN)) return INT32_MIN;
  if (v > BigInt(INT32_MAX)) return INT32_MAX;
  return Number(v);
}
