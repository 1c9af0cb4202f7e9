/**
 * Tracks chunked transfer-encoding framing (RFC 9112 §7.1) over a byte stream, only to find where
 * the message ends: `feed` returns true once the last chunk and the trailer section are complete.
 * Malformed framing never ends the message early: the reader then waits for close or timeout.
 */
type Phase = 'size' | 'data' | 'data-crlf' | 'trailer' | 'done' | 'broken';

const MAX_LINE_BYTES = 4096;

export class ChunkedFraming {
  private phase: Phase = 'size';
  private line = '';
  private dataLeft = 0;
  private crlfLeft = 0;

  feed(bytes: Uint8Array): boolean {
    for (let i = 0; i < bytes.length && this.phase !== 'done' && this.phase !== 'broken'; ) {
      i = this.step(bytes, i);
    }
    return this.phase === 'done';
  }

  private step(bytes: Uint8Array, i: number): number {
    if (this.phase === 'data') {
      const take = Math.min(this.dataLeft, bytes.length - i);
      this.dataLeft -= take;
      if (this.dataLeft === 0) {
        this.phase = 'data-crlf';
        this.crlfLeft = 2;
      }
      return i + take;
    }
    if (this.phase === 'data-crlf') {
      if (--this.crlfLeft === 0) this.phase = 'size';
      return i + 1;
    }
    const byte = bytes[i] ?? 0;
    if (byte !== 0x0a) {
      this.line += String.fromCharCode(byte);
      if (this.line.length > MAX_LINE_BYTES) this.phase = 'broken';
      return i + 1;
    }
    this.endLine(this.line.replace(/\r$/, ''));
    this.line = '';
    return i + 1;
  }

  private endLine(line: string): void {
    if (this.phase === 'trailer') {
      if (line === '') this.phase = 'done';
      return;
    }
    const size = /^([0-9a-fA-F]+)/.exec(line);
    if (!size) {
      this.phase = 'broken';
      return;
    }
    this.dataLeft = parseInt(size[1] ?? '0', 16);
    this.phase = this.dataLeft === 0 ? 'trailer' : 'data';
  }
}
