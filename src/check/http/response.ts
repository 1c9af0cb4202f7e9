/**
 * An incremental reader of an HTTP response, with genhash's rules (verified against
 * /usr/bin/genhash 2.2.7):
 *
 * - the header ends at the first "\r\n\r\n" (bare "\n\n" does not count); no such end = no data;
 * - the body is everything after it, cut at Content-Length when the header has one;
 * - a chunked body is hashed RAW (chunk-size lines included), as genhash prints it, so digests
 *   computed with genhash match; the chunk framing is parsed only to know where the body ends;
 * - the body is streamed into MD5; only `keepBodyBytes` of it are kept (for regex), and a body
 *   longer than `bodyCapBytes` is refused, so an endless body cannot exhaust memory;
 * - pushed buffers may be reused by the caller afterwards: what the reader keeps is copied.
 */
import { ChunkedFraming } from './chunked.js';
import { findHeaderValue, parseStatusCode } from './header-scan.js';
import { Md5 } from './md5.js';

const HEADER_END = Buffer.from('\r\n\r\n', 'latin1');
const CONTENT_LENGTH = Buffer.from('content-length:', 'latin1');
const TRANSFER_ENCODING = Buffer.from('transfer-encoding:', 'latin1');
/** A header longer than this without "\r\n\r\n" is garbage. */
export const MAX_HEADER_BYTES = 64 * 1024;

export interface ResponseReaderOptions {
  readonly bodyCapBytes: number;
  /** Bytes of body kept for regex matching (0: none). */
  readonly keepBodyBytes: number;
  /**
   * Called once with the header bytes (terminator included), before any body piece. Only then is
   * the header copied and kept in `header`; checkers read `headerSeen` and `statusCode`.
   */
  readonly onHeader?: (header: Buffer) => void;
  /** Called with every body piece as received (after Content-Length cut); genhash dumps them. */
  readonly onBodyPiece?: (piece: Buffer) => void;
}

export type ReaderState = 'header' | 'body' | 'complete' | 'too-large' | 'bad-header';

/**
 * One reader per url of a checker, reset() before every attempt: the hot path of HTTP_GET
 * allocates nothing here when the header arrives in one piece (the usual case).
 */
export class ResponseReader {
  state: ReaderState = 'header';
  /** The header bytes, kept only when options.onHeader is set (genhash). */
  header: Buffer | undefined;
  /** A complete header ("\r\n\r\n") was received. */
  headerSeen = false;
  statusCode: number | undefined;
  bodyBytes = 0;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private remaining: number | undefined;
  private chunked: ChunkedFraming | undefined;
  private readonly md5 = new Md5();
  private kept: Buffer[] = [];
  private keptBytes = 0;
  private readonly options: ResponseReaderOptions;

  constructor(options: ResponseReaderOptions) {
    this.options = options;
  }

  /** Back to the state of a new reader, for the next attempt. */
  reset(): void {
    this.state = 'header';
    this.header = undefined;
    this.headerSeen = false;
    this.statusCode = undefined;
    this.bodyBytes = 0;
    if (this.pendingBytes > 0) this.pending = [];
    this.pendingBytes = 0;
    this.remaining = undefined;
    this.chunked = undefined;
    this.md5.reset();
    if (this.keptBytes > 0) this.kept = [];
    this.keptBytes = 0;
  }

  /** Whether the body's MD5 is one of `hexDigests` (lowercase), without building a string. */
  digestIn(hexDigests: readonly string[]): boolean {
    for (const d of hexDigests) if (this.md5.matchesHex(d)) return true;
    return false;
  }

  /** Feeds received bytes; returns the state after them. */
  push(data: Buffer): ReaderState {
    if (this.state === 'header') this.pushHeader(data);
    else if (this.state === 'body') this.pushBody(data);
    return this.state;
  }

  /** The MD5 of the body so far, lowercase hex (call once, at the end). */
  digestHex(): string {
    return this.md5.hex();
  }

  /** The kept prefix of the body, latin1-decoded (for regex). */
  keptBody(): string {
    return Buffer.concat(this.kept).toString('latin1');
  }

  private pushHeader(data: Buffer): void {
    const all = this.pendingBytes === 0 ? data : Buffer.concat([...this.pending, data]);
    const end = all.indexOf(HEADER_END);
    if (end < 0) {
      // `data` may be a view into a reused receive buffer: keep a copy.
      this.pending = [all === data ? Buffer.from(data) : all];
      this.pendingBytes = all.length;
      if (this.pendingBytes > MAX_HEADER_BYTES) this.state = 'bad-header';
      return;
    }
    if (this.pendingBytes > 0) this.pending = [];
    this.pendingBytes = 0;
    const headerEnd = end + HEADER_END.length;
    this.headerSeen = true;
    this.parseHeader(all, end);
    this.state = this.remaining === 0 ? 'complete' : 'body';
    if (this.options.onHeader) {
      this.header = Buffer.from(all.subarray(0, headerEnd));
      this.options.onHeader(this.header);
    }
    if (all.length > headerEnd && this.state === 'body') this.pushBody(all.subarray(headerEnd));
  }

  /** Status code, then Content-Length, else chunked Transfer-Encoding: byte scans, no strings. */
  private parseHeader(all: Buffer, end: number): void {
    this.statusCode = parseStatusCode(all, end);
    const length = findHeaderValue(all, end, CONTENT_LENGTH, 'digits');
    if (length >= 0) this.remaining = length;
    else if (findHeaderValue(all, end, TRANSFER_ENCODING, 'chunked') >= 0) this.chunked = new ChunkedFraming();
  }

  private pushBody(data: Buffer): void {
    let piece = data;
    if (this.remaining !== undefined) {
      if (piece.length > this.remaining) piece = piece.subarray(0, this.remaining);
      this.remaining -= piece.length;
    }
    if (this.bodyBytes + piece.length > this.options.bodyCapBytes) {
      this.state = 'too-large';
      return;
    }
    this.bodyBytes += piece.length;
    this.md5.update(piece);
    this.keep(piece);
    this.options.onBodyPiece?.(piece);
    if (this.remaining === 0 || (this.chunked && this.chunked.feed(piece))) this.state = 'complete';
  }

  private keep(piece: Buffer): void {
    const room = this.options.keepBodyBytes - this.keptBytes;
    if (room <= 0) return;
    const part = piece.length > room ? piece.subarray(0, room) : piece;
    this.kept.push(Buffer.from(part));
    this.keptBytes += part.length;
  }
}
