/**
 * An incremental MD5 (RFC 1321) for HTTP_GET digests, written for the checker's hot path: one
 * instance per url of a checker, reset per attempt, no allocation per update or per digest
 * comparison. A health-check body is a few hundred bytes: a Node crypto Hash per attempt (a native
 * object, three native calls and a hex string) costs more than hashing them here. The hex string
 * is built only when asked for (failure messages, genhash).
 */

/** Per-round left-rotation amounts, four per quarter. */
const SHIFTS = [7, 12, 17, 22, 5, 9, 14, 20, 4, 11, 16, 23, 6, 10, 15, 21];

/** K[i] = floor(|sin(i + 1)| * 2^32), as int32. */
const K = new Int32Array(64);
for (let i = 0; i < 64; i++) K[i] = Math.floor(Math.abs(Math.sin(i + 1)) * 2 ** 32) | 0;

/** Message word index for each of the 64 steps. */
const WORD = new Uint8Array(64);
for (let i = 0; i < 64; i++) WORD[i] = i < 16 ? i : i < 32 ? (5 * i + 1) % 16 : i < 48 ? (3 * i + 5) % 16 : (7 * i) % 16;

const ROT = new Uint8Array(64);
for (let i = 0; i < 64; i++) ROT[i] = SHIFTS[4 * (i >> 4) + (i & 3)] ?? 0;

const HEX = '0123456789abcdef';

export class Md5 {
  private readonly state = new Int32Array(4);
  private readonly words = new Int32Array(16);
  /** Bytes of an incomplete block. */
  private readonly tail = new Uint8Array(64);
  private tailBytes = 0;
  private totalBytes = 0;
  private readonly out = new Uint8Array(16);
  private finished = false;

  constructor() {
    this.reset();
  }

  reset(): void {
    const s = this.state;
    s[0] = 0x67452301;
    s[1] = 0xefcdab89 | 0;
    s[2] = 0x98badcfe | 0;
    s[3] = 0x10325476;
    this.tailBytes = 0;
    this.totalBytes = 0;
    this.finished = false;
  }

  update(bytes: Uint8Array): void {
    let i = 0;
    const n = bytes.length;
    this.totalBytes += n;
    if (this.tailBytes > 0) {
      while (i < n && this.tailBytes < 64) this.tail[this.tailBytes++] = bytes[i++] ?? 0;
      if (this.tailBytes < 64) return;
      this.block(this.tail, 0);
      this.tailBytes = 0;
    }
    for (; i + 64 <= n; i += 64) this.block(bytes, i);
    while (i < n) this.tail[this.tailBytes++] = bytes[i++] ?? 0;
  }

  /** The 16 digest bytes (valid until the next reset); finishes the hash on first call. */
  digest(): Uint8Array {
    if (!this.finished) this.finish();
    return this.out;
  }

  hex(): string {
    const d = this.digest();
    let s = '';
    for (let i = 0; i < 16; i++) s += HEX[(d[i] ?? 0) >> 4]! + HEX[(d[i] ?? 0) & 15]!;
    return s;
  }

  /** Whether the digest equals `hex` (32 lowercase hex digits), without building a string. */
  matchesHex(hex: string): boolean {
    if (hex.length !== 32) return false;
    const d = this.digest();
    for (let i = 0; i < 16; i++) {
      const b = d[i] ?? 0;
      if (hex.charCodeAt(2 * i) !== HEX.charCodeAt(b >> 4) || hex.charCodeAt(2 * i + 1) !== HEX.charCodeAt(b & 15)) return false;
    }
    return true;
  }

  private finish(): void {
    const bits = this.totalBytes * 8;
    const t = this.tail;
    t[this.tailBytes++] = 0x80;
    if (this.tailBytes > 56) {
      t.fill(0, this.tailBytes, 64);
      this.block(t, 0);
      this.tailBytes = 0;
    }
    t.fill(0, this.tailBytes, 56);
    const lo = bits >>> 0;
    const hi = Math.floor(bits / 2 ** 32) >>> 0;
    for (let i = 0; i < 4; i++) {
      t[56 + i] = (lo >>> (8 * i)) & 0xff;
      t[60 + i] = (hi >>> (8 * i)) & 0xff;
    }
    this.block(t, 0);
    const s = this.state;
    for (let w = 0; w < 4; w++) {
      const v = s[w] ?? 0;
      for (let i = 0; i < 4; i++) this.out[4 * w + i] = (v >>> (8 * i)) & 0xff;
    }
    this.finished = true;
  }

  private block(b: Uint8Array, at: number): void {
    const m = this.words;
    for (let j = 0; j < 16; j++) {
      const o = at + 4 * j;
      m[j] = (b[o] ?? 0) | ((b[o + 1] ?? 0) << 8) | ((b[o + 2] ?? 0) << 16) | ((b[o + 3] ?? 0) << 24);
    }
    const s = this.state;
    let a = s[0] ?? 0;
    let bb = s[1] ?? 0;
    let c = s[2] ?? 0;
    let d = s[3] ?? 0;
    for (let i = 0; i < 64; i++) {
      let f: number;
      if (i < 16) f = (bb & c) | (~bb & d);
      else if (i < 32) f = (d & bb) | (~d & c);
      else if (i < 48) f = bb ^ c ^ d;
      else f = c ^ (bb | ~d);
      f = (f + a + (K[i] ?? 0) + (m[WORD[i] ?? 0] ?? 0)) | 0;
      a = d;
      d = c;
      c = bb;
      const r = ROT[i] ?? 0;
      bb = (bb + ((f << r) | (f >>> (32 - r)))) | 0;
    }
    s[0] = ((s[0] ?? 0) + a) | 0;
    s[1] = ((s[1] ?? 0) + bb) | 0;
    s[2] = ((s[2] ?? 0) + c) | 0;
    s[3] = ((s[3] ?? 0) + d) | 0;
  }
}
