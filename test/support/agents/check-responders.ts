/**
 * Lab responder for the checker-transition tests: a real server whose answers the test flips at
 * run time, and which logs every attempt it receives (so a test counts the checker's retries on
 * the server side).
 *
 *   node check-responders.js smtp ADDRESS PORT   an SMTP server: banner 220 + HELO 250 when good,
 *                                                banner 554 when bad
 *   node check-responders.js udp ADDRESS PORT    a UDP echo when good; when bad it answers every
 *                                                datagram with its bytes inverted
 *
 * stdin takes one command per line: `good` or `bad`; each is acknowledged with `mode good|bad`.
 * stdout: `ready` once listening, then `ATTEMPT good|bad` per connection/datagram, stamped with
 * the mode that decided its answer.
 */
import { createSocket } from 'node:dgram';
import { createServer, type Socket } from 'node:net';
import { createInterface } from 'node:readline';

type Mode = 'good' | 'bad';

const [kind, address = '', portText = ''] = process.argv.slice(2);
const port = Number(portText);
let mode: Mode = 'good';

function say(line: string): void {
  process.stdout.write(`${line}\n`);
}

createInterface({ input: process.stdin }).on('line', (line) => {
  const wanted = line.trim();
  if (wanted === 'good' || wanted === 'bad') {
    mode = wanted;
    say(`mode ${mode}`);
  }
});

function smtpSession(socket: Socket): void {
  const decided = mode;
  say(`ATTEMPT ${decided}`);
  socket.on('error', () => undefined);
  if (decided === 'bad') {
    socket.end('554 lab.example no service\r\n');
    return;
  }
  socket.write('220 lab.example ESMTP\r\n');
  let buffered = '';
  socket.on('data', (chunk: Buffer) => {
    buffered += chunk.toString('latin1');
    let nl: number;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, nl).trim();
      buffered = buffered.slice(nl + 1);
      if (line.toUpperCase().startsWith('HELO ')) socket.write(`250 hello ${line.slice(5)}\r\n`);
      else if (line.toUpperCase() === 'QUIT') socket.end('221 bye\r\n');
      else socket.write('500 unknown\r\n');
    }
  });
}

function startSmtp(): void {
  createServer(smtpSession).listen(port, address, () => say('ready'));
}

function startUdp(): void {
  const socket = createSocket(address.includes(':') ? 'udp6' : 'udp4');
  socket.on('message', (message, peer) => {
    const decided = mode;
    say(`ATTEMPT ${decided}`);
    const reply = decided === 'good' ? message : Buffer.from(message.map((b) => b ^ 0xff));
    socket.send(reply, peer.port, peer.address);
  });
  socket.bind(port, address, () => say('ready'));
}

if (kind === 'smtp') startSmtp();
else if (kind === 'udp') startUdp();
else {
  process.stderr.write(`usage: check-responders.js smtp|udp ADDRESS PORT (got ${String(kind)})\n`);
  process.exit(2);
}
