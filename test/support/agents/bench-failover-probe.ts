/**
 * Agent of the failover benchmark (bench/failover.bench.ts), two roles:
 *
 *   node bench-failover-probe.js responder NAME ADDRESS PORT
 *     A UDP responder bound to ADDRESS:PORT (the VIP; the namespace allows non-local binds, so it
 *     binds before the VIP arrives) answering every datagram with NAME. Prints `ready`.
 *
 *   node bench-failover-probe.js client ADDRESS PORT INTERVAL_MS MAX_MS
 *     Sends one probe to ADDRESS:PORT every INTERVAL_MS (catching up on late timer ticks, at most
 *     a few at once) and records who answered, run-length encoded: a run is a stretch of answers
 *     from one name with its first and last receive time. Times are epoch milliseconds with
 *     sub-millisecond precision (performance.timeOrigin + performance.now()), comparable across
 *     processes of one machine. Prints `ready` once bound, `{"event":"run","name":N,"at":T}` when
 *     a new run starts, and on the `stop` command (stdin) or after MAX_MS stops sending, waits
 *     DRAIN_MS for the answers still in flight, prints the final
 *     `{"event":"done","sent":S,"skipped":K,"received":R,"runs":[...]}` and exits. S counts the
 *     probes really sent, K the slots skipped after a long stall of the client itself (never
 *     sent, so never lost): S - R probes went unanswered. Bounded by MAX_MS + DRAIN_MS.
 */
import { createSocket, type Socket } from 'node:dgram';
import { createInterface } from 'node:readline';

interface Run {
  readonly name: string;
  readonly first: number;
  last: number;
  count: number;
}

const MAX_CATCH_UP = 4;
/** How long the client waits for answers still in flight after its last probe. */
const DRAIN_MS = 300;
/** Socket buffers large enough for a stall of a few hundred ms at one probe per ms. */
const BUFFER_BYTES = 4 * 1024 * 1024;

function say(message: unknown): void {
  process.stdout.write(`${typeof message === 'string' ? message : JSON.stringify(message)}\n`);
}

function epochMs(): number {
  return performance.timeOrigin + performance.now();
}

function responder(name: string, address: string, port: number): void {
  const socket = createSocket({ type: 'udp4', reuseAddr: true, recvBufferSize: BUFFER_BYTES });
  const answer = Buffer.from(name);
  socket.on('message', (_msg, rinfo) => {
    socket.send(answer, rinfo.port, rinfo.address);
  });
  socket.on('error', (e) => {
    process.stderr.write(`responder ${name}: ${e.message}\n`);
    process.exit(1);
  });
  socket.bind(port, address, () => say('ready'));
  process.on('SIGTERM', () => {
    socket.close();
    process.exit(0);
  });
}

function client(address: string, port: number, intervalMs: number, maxMs: number): void {
  const socket: Socket = createSocket({ type: 'udp4', recvBufferSize: BUFFER_BYTES });
  const runs: Run[] = [];
  let slot = 0;
  let sent = 0;
  let skipped = 0;
  let received = 0;
  let done = false;
  const start = performance.now();
  const probe = Buffer.alloc(8);

  socket.on('message', (msg) => {
    const at = epochMs();
    const name = msg.toString('utf8');
    received++;
    const current = runs[runs.length - 1];
    if (current !== undefined && current.name === name) {
      current.last = at;
      current.count++;
      return;
    }
    runs.push({ name, first: at, last: at, count: 1 });
    say({ event: 'run', name, at });
  });
  socket.on('error', () => undefined);

  const tick = (): void => {
    const due = Math.floor((performance.now() - start) / intervalMs) + 1;
    let burst = 0;
    while (slot < due && burst < MAX_CATCH_UP) {
      probe.writeUInt32BE(slot >>> 0, 0);
      socket.send(probe, port, address);
      slot++;
      sent++;
      burst++;
    }
    if (slot < due) {
      // a long stall: skip the missed slots rather than flood
      skipped += due - slot;
      slot = due;
    }
  };

  const finish = (): void => {
    if (done) return;
    done = true;
    clearInterval(timer);
    clearTimeout(limit);
    setTimeout(() => {
      say({ event: 'done', sent, skipped, received, runs });
      socket.close();
      process.exit(0);
    }, DRAIN_MS);
  };

  const timer = setInterval(tick, intervalMs);
  const limit = setTimeout(finish, maxMs);
  socket.bind(0, () => say('ready'));
  createInterface({ input: process.stdin }).on('line', (line) => {
    if (line.trim() === 'stop') finish();
  });
  process.on('SIGTERM', finish);
}

function main(argv: readonly string[]): void {
  const [role, a = '', b = '', c = '', d = ''] = argv;
  if (role === 'responder') return responder(a, b, Number(c));
  if (role === 'client') return client(a, Number(b), Number(c), Number(d));
  process.stderr.write('usage: bench-failover-probe responder NAME ADDRESS PORT | client ADDRESS PORT INTERVAL_MS MAX_MS\n');
  process.exit(2);
}

main(process.argv.slice(2));
