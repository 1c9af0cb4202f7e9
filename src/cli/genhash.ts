/**
 * genhash-ts: keepalived's genhash (`genhash` / `keepalived --genhash`). Fetches one URL with the
 * HTTP_GET/SSL_GET checker's request and prints the MD5 of the body, as /usr/bin/genhash 2.2.7
 * does: the digest and a newline on stdout; "no data received from remote webserver" on stderr
 * when no HTTP header came; "Connection failed", "Timeout connecting", "Timeout HTTP read" on
 * stdout; exit 0 once a request was attempted, 1 for usage errors. Reads until the server closes.
 */
import type net from 'node:net';
import { connect } from '../check/connect.js';
import type { CheckClock, CheckTimer } from '../check/clock.js';
import { buildRequest } from '../check/http/request.js';
import { ResponseReader } from '../check/http/response.js';
import { parseGenhashArgs, usageText, type GenhashOptions } from './genhash-options.js';
import { GENHASH_READ_BYTES, hexDump, TITLE_HASH, TITLE_HASH_FINAL, TITLE_HEADER, TITLE_HEADER_ASCII, TITLE_HTML } from './genhash-dump.js';

export interface GenhashOutput {
  stdout(data: string | Uint8Array): void;
  stderr(text: string): void;
}

export const processGenhashOutput: GenhashOutput = {
  stdout: (d) => void process.stdout.write(d),
  stderr: (t) => void process.stderr.write(t),
};

/** Adapts a text-only output (the CLI's); the process output keeps raw bytes. */
export function genhashOutputFrom(out: { stdout(t: string): void; stderr(t: string): void }, isProcess: boolean): GenhashOutput {
  if (isProcess) return processGenhashOutput;
  return { stdout: (d) => out.stdout(typeof d === 'string' ? d : Buffer.from(d).toString('latin1')), stderr: (t) => out.stderr(t) };
}

/** Real timers: genhash is a command-line tool, not checker domain logic. */
function systemClock(): CheckClock {
  const timers = new Map<number, NodeJS.Timeout>();
  let next = 1;
  return {
    monotonicMs: () => performance.now(),
    setTimer(callback, delayMs) {
      const id = next++;
      timers.set(id, setTimeout(() => { timers.delete(id); callback(); }, delayMs));
      return { id };
    },
    clearTimer(h: CheckTimer) {
      clearTimeout(timers.get(h.id));
      timers.delete(h.id);
    },
  };
}

/** Runs genhash with its arguments (without the --genhash flag); resolves with the exit code. */
export async function runGenhash(argv: readonly string[], program: string, out: GenhashOutput = processGenhashOutput): Promise<number> {
  const parsed = parseGenhashArgs(argv);
  if (!parsed.ok) {
    out.stderr(`${parsed.message !== undefined ? `${parsed.message}\n` : ''}${usageText(program)}`);
    return 1;
  }
  await fetchAndHash(parsed.options, out);
  return 0;
}

type Ending = 'closed' | 'timeout' | 'error';

class Session {
  readonly reader: ResponseReader;
  private pending: Buffer = Buffer.alloc(0);
  private flushArmed = false;
  private htmlTitleShown = false;

  constructor(private readonly o: GenhashOptions, private readonly out: GenhashOutput) {
    this.reader = new ResponseReader({
      bodyCapBytes: Number.MAX_SAFE_INTEGER,
      keepBodyBytes: 0,
      onHeader: (header) => this.showHeader(header),
      onBodyPiece: (piece) => this.showBody(piece),
    });
  }

  /**
   * Re-cuts received data the way genhash's reads see it: full 4095-byte reads while data is
   * queued, and what is left once the event loop has drained the socket (setImmediate).
   */
  receive(data: Buffer): void {
    this.pending = this.pending.length === 0 ? data : Buffer.concat([this.pending, data]);
    while (this.pending.length >= GENHASH_READ_BYTES) {
      this.reader.push(this.pending.subarray(0, GENHASH_READ_BYTES));
      this.pending = this.pending.subarray(GENHASH_READ_BYTES);
    }
    if (this.pending.length > 0 && !this.flushArmed) {
      this.flushArmed = true;
      setImmediate(() => this.flush());
    }
  }

  flush(): void {
    this.flushArmed = false;
    if (this.pending.length === 0) return;
    const rest = this.pending;
    this.pending = Buffer.alloc(0);
    this.reader.push(rest);
  }

  private showHeader(header: Buffer): void {
    if (!this.o.verbose) return;
    this.out.stdout(TITLE_HEADER + hexDump(header) + TITLE_HEADER_ASCII);
    this.out.stdout(Buffer.concat([header, Buffer.from('\n')]));
  }

  private showBody(piece: Buffer): void {
    if (!this.o.verbose) return;
    if (!this.htmlTitleShown) this.out.stdout(TITLE_HTML);
    this.htmlTitleShown = true;
    this.out.stdout(hexDump(piece));
  }

  /** The closing sections after the server closed. */
  finish(): void {
    const digest = this.reader.digestHex();
    const got = this.reader.headerSeen;
    if (!got) this.out.stderr('no data received from remote webserver\n');
    if (!this.o.verbose) {
      if (got) this.out.stdout(`${digest}\n`);
      return;
    }
    if (!got) this.out.stdout(TITLE_HEADER);
    this.out.stdout(`\n${TITLE_HASH}${hexDump(Buffer.from(digest, 'hex'))}${TITLE_HASH_FINAL}${got ? `${digest}\n` : ''}`);
  }
}

function readAll(socket: net.Socket, session: Session, timeoutMs: number, clock: CheckClock): Promise<Ending> {
  return new Promise((resolve) => {
    let timer: CheckTimer | undefined;
    const done = (e: Ending): void => {
      if (timer) clock.clearTimer(timer);
      socket.removeAllListeners('data');
      socket.on('error', () => undefined);
      socket.destroy();
      resolve(e);
    };
    const rearm = (): void => {
      if (timer) clock.clearTimer(timer);
      timer = clock.setTimer(() => done('timeout'), timeoutMs);
    };
    socket.on('data', (d: Buffer) => { session.receive(d); rearm(); });
    socket.once('end', () => { session.flush(); done('closed'); });
    socket.once('error', () => done('error'));
    rearm();
  });
}

async function fetchAndHash(o: GenhashOptions, out: GenhashOutput): Promise<void> {
  const clock = systemClock();
  const startedMs = performance.now();
  const timeoutMs = o.timeoutS * 1000;
  const sni = o.ssl && o.sni && o.virtualhost !== undefined ? { servername: o.virtualhost } : {};
  const c = await connect(
    { address: o.server, port: o.port, connectTimeoutMs: timeoutMs, ...(o.ssl ? { tls: sni } : {}) },
    clock,
    new AbortController().signal,
  );
  if (!c.ok) {
    out.stdout(c.failure === 'connect-timeout' ? 'Timeout connecting\n' : 'Connection failed\n');
  } else {
    const session = new Session(o, out);
    c.socket.write(buildRequest({ path: o.url, protocol: o.protocol, address: o.server, port: o.port, ...(o.virtualhost !== undefined ? { virtualhost: o.virtualhost } : {}) }));
    const ending = await readAll(c.socket, session, timeoutMs, clock);
    if (ending === 'closed') session.finish();
    else out.stdout(ending === 'timeout' ? 'Timeout HTTP read\n' : 'Connection failed\n');
  }
  if (o.verbose) out.stdout(`\nGlobal response time for [${o.url}] = ${Math.round((performance.now() - startedMs) * 1000)} usecs\n`);
}
