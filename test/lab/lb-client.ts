/**
 * The client side of the load-balancing lab (run with node inside the client namespace):
 *   burst URL N [SRC,SRC..]  N sequential requests, each on a new connection (source addresses
 *                            taken in turn); prints {"counts":{"h2":n,...},"bySource":{...},"errors":n}
 *   slow URL                 one slow download; prints {"started":true,"server":..} when the
 *                            headers arrive, then {"done":true,"bytes":n,"server":..} or {"error":..}
 */
import http from 'node:http';

function get(url: string, localAddress?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent: false, timeout: 3_000, ...(localAddress !== undefined ? { localAddress } : {}) }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => { body += c; });
      res.on('end', () => resolve(body.trim()));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

async function burst(url: string, n: number, sources: string[]): Promise<void> {
  const counts: Record<string, number> = {};
  const bySource: Record<string, Record<string, number>> = {};
  let errors = 0;
  let lastError = '';
  for (let i = 0; i < n; i++) {
    const src = sources.length > 0 ? sources[i % sources.length] : undefined;
    try {
      const body = await get(url, src);
      counts[body] = (counts[body] ?? 0) + 1;
      const key = src ?? 'default';
      const per = (bySource[key] ??= {});
      per[body] = (per[body] ?? 0) + 1;
    } catch (e) {
      errors++;
      lastError = (e as Error).message;
    }
  }
  console.log(JSON.stringify({ counts, bySource, errors, lastError }));
}

function slow(url: string): void {
  const req = http.get(url, { agent: false }, (res) => {
    const server = String(res.headers['x-server'] ?? '');
    console.log(JSON.stringify({ started: true, server, status: res.statusCode }));
    let bytes = 0;
    res.on('data', (c: Buffer) => { bytes += c.length; });
    res.on('end', () => console.log(JSON.stringify({ done: true, bytes, server })));
    res.on('error', (e) => console.log(JSON.stringify({ error: e.message, bytes })));
  });
  req.on('error', (e) => console.log(JSON.stringify({ error: e.message })));
}

const [mode, url, arg] = process.argv.slice(2);
if (mode === 'burst' && url !== undefined) {
  void burst(url, Number(arg ?? '1'), (process.argv[5] ?? '').split(',').filter((s) => s !== ''));
} else if (mode === 'slow' && url !== undefined) {
  slow(url);
} else {
  console.error('usage: lb-client burst URL N [SRC,..] | slow URL');
  process.exit(2);
}
