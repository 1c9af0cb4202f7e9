/**
 * JSON-lines protocol of the lab agents (small programs run inside a lab namespace with
 * `ip netns exec NS node dist/test/support/agents/x.js`). stdin: one request per line,
 * `{"id": 1, "op": "name", ...args}`. stdout: one reply per request, `{"id": 1, "ok": true, ...}`
 * or `{"id": 1, "ok": false, "error": message, "code": code}`, plus unsolicited events
 * `{"event": "name", ...}`. The agent exits when stdin closes (the lab killing it also works).
 */
import { createInterface } from 'node:readline';

export type Request = Record<string, unknown> & { readonly id: number; readonly op: string };
export type Handler = (request: Request) => Promise<Record<string, unknown>> | Record<string, unknown>;

export function emit(message: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(message)}\n`);
}

export function runAgent(handlers: Readonly<Record<string, Handler>>, onClose: () => void = () => undefined): void {
  const lines = createInterface({ input: process.stdin });
  lines.on('line', (line) => {
    if (line.trim() === '') return;
    let request: Request;
    try {
      request = JSON.parse(line) as Request;
    } catch {
      emit({ event: 'bad-request', line });
      return;
    }
    void answer(handlers, request);
  });
  lines.on('close', () => {
    onClose();
    process.exit(0);
  });
  emit({ event: 'ready', pid: process.pid });
}

async function answer(handlers: Readonly<Record<string, Handler>>, request: Request): Promise<void> {
  const handler = handlers[request.op];
  if (!handler) {
    emit({ id: request.id, ok: false, error: `unknown op ${request.op}`, code: 'UNKNOWN_OP' });
    return;
  }
  try {
    emit({ id: request.id, ok: true, ...(await handler(request)) });
  } catch (e) {
    const code = typeof (e as { code?: unknown }).code === 'string' ? (e as { code: string }).code : 'ERROR';
    emit({ id: request.id, ok: false, error: (e as Error).message, code });
  }
}

export function str(request: Request, key: string, fallback?: string): string {
  const v = request[key] ?? fallback;
  if (typeof v !== 'string') throw new Error(`${request.op}: "${key}" must be a string`);
  return v;
}

export function num(request: Request, key: string, fallback?: number): number {
  const v = request[key] ?? fallback;
  if (typeof v !== 'number') throw new Error(`${request.op}: "${key}" must be a number`);
  return v;
}

export function family(request: Request): 4 | 6 {
  const f = num(request, 'family', 4);
  if (f !== 4 && f !== 6) throw new Error(`${request.op}: family must be 4 or 6`);
  return f;
}
