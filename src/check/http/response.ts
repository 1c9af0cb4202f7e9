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
import { createHash, type Hash } from 'node:crypto';
import { ChunkedFraming } from './chunked.js';

const HEADER_END = Buffer.from('\r\n\r\n', 'latin1');
/** A header longer than this without "\r\n\r\n" is garbage. */
export const MAX_HEADER_BYTES = 64 * 1024;

export interface ResponseReaderOptions {
  readonly bodyCapBytes: number;
  /** Bytes of body kept for regex matching (0: none). */
  readonly keepBodyBytes: number;
  /** Called once with the header bytes (terminator included), before any body piece. */
  readonly onHeader?: (header: Buffer) => void;
  /** Called with every body piece as received (after Content-Length cut); genhash dumps them. */
  readonly onBodyPiece?: (piece: Buffer) => void;
}

export type ReaderState = 'header' | 'body' | 'complete' | 'too-large' | 'bad-header';

export class ResponseReader {
  state: ReaderState = 'header';
  header: Buffer | undefined;
  statusCode: number | undefined;
  bodyBytes = 0;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private remaining: number | undefined;
  private chunked: ChunkedFraming | undefined;
  private readonly md5: Hash = createHash('md5');
  private readonly kept: Buffer[] = [];
  private keptBytes = 0;
  private readonly options: ResponseReaderOptions;

  constructor(options: ResponseReaderOptions) {
    this.options = options;
  }

  /** Feeds received bytes; returns the state after them. */
  push(data: Buffer): ReaderState {
    if (this.state === 'header') this.pushHeader(data);
    else if (this.state === 'body') this.pushBody(data);
    return this.state;
  }

  /** The MD5 of the body so far, lowercase hex (call once, at the end). */
  digestHex(): string {
    return this.md5.digest('hex');
  }

  /** The kept prefix of the body, latin1-decoded (for regex). */
  keptBody(): string {
    return Buffer.concat(this.kept).toString('latin1');
  }

  private pushHeader(data: Buffer): void {
    this.pending.push(data);
    this.pendingBytes += data.length;
    const all = this.pending.length === 1 ? data : Buffer.concat(this.pending);
    const end = all.indexOf(HEADER_END);
    if (end < 0) {
      // `data` may be a view into a reused receive buffer: keep a copy.
      this.pending = [all === data ? Buffer.from(data) : all];
      if (this.pendingBytes > MAX_HEADER_BYTES) this.state = 'bad-header';
      return;
    }
    this.pending = [];
    this.header = Buffer.from(all.subarray(0, end + HEADER_END.length));
    this.parseHeader(this.header.toString('latin1'));
    this.state = this.remaining === 0 ? 'complete' : 'body';
    this.options.onHeader?.(this.header);
    const rest = all.subarray(end + HEADER_END.length);
    if (rest.length > 0 && this.state === 'body') this.pushBody(rest);
  }

  private parseHeader(text: string): void {
    const status = /^HTTP\/\d+\.\d+ +(\d{3})/.exec(text);
    this.statusCode = status ? Number(status[1]) : undefined;
    const length = /\r\ncontent-length:[ \t]*(\d+)/i.exec(text);
    if (length) this.remaining = Number(length[1]);
    else if (/\r\ntransfer-encoding:[ \t]*chunked/i.test(text)) this.chunked = new ChunkedFraming();
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
