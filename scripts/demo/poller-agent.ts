/**
 * The demo's client, run inside the client namespace: `node poller-agent.js URL PERIOD_MS
 * TIMEOUT_MS`. Starts one HTTP GET every PERIOD_MS (a new connection each time, so that each
 * request goes wherever the VIP is now) and prints one JSON line per result:
 *   {"s":<epoch ms>,"t":<epoch ms>,"node":"node1"}    the body of a 200 answer (the node's name)
 *   {"s":<epoch ms>,"t":<epoch ms>,"error":"ECONNREFUSED"}
 * `s` is when the request started, `t` when it completed (performance.timeOrigin +
 * performance.now(), comparable across processes of one machine). Runs until SIGTERM.
 */
import { request } from 'node:http';

const [url = 'http://192.0.2.100/', periodArg = '50', timeoutArg = '400'] = process.argv.slice(2);
const periodMs = Number(periodArg);
const timeoutMs = Number(timeoutArg);

function nowMs(): number {
  return performance.timeOrigin + performance.now();
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}

function emit(startMs: number, result: { node: string } | { error: string }): void {
  process.stdout.write(`${JSON.stringify({ s: round(startMs), t: round(nowMs()), ...result })}\n`);
}

function poll(): void {
  const startMs = nowMs();
  let done = false;
  const finish = (result: { node: string } | { error: string }): void => {
    if (done) return;
    done = true;
    emit(startMs, result);
  };
  const req = request(url, { agent: false, headers: { Connection: 'close' }, timeout: timeoutMs }, (res) => {
    let body = '';
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => {
      body += chunk;
    });
    res.on('end', () => finish(res.statusCode === 200 ? { node: body.trim() } : { error: `HTTP ${String(res.statusCode)}` }));
    res.on('error', (e: NodeJS.ErrnoException) => finish({ error: e.code ?? e.message }));
  });
  req.on('timeout', () => {
    finish({ error: 'timeout' });
    req.destroy();
  });
  req.on('error', (e: NodeJS.ErrnoException) => finish({ error: e.code ?? e.message }));
  req.end();
}

const timer = setInterval(poll, periodMs);
process.on('SIGTERM', () => {
  clearInterval(timer);
  process.exit(0);
});
poll();
