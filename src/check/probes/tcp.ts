/** TCP_CHECK: the attempt succeeds when the connection is established (then closed at once). */
import type { CheckClock } from '../clock.js';
import { connect, type ConnectTarget } from '../connect.js';
import type { Probe, ProbeResult } from '../probe.js';
import type { StreamPort } from '../stream-port.js';
import { StreamAttemptRunner } from './stream-attempt.js';

export function tcpProbe(target: ConnectTarget, clock: CheckClock): Probe {
  return async (signal: AbortSignal): Promise<ProbeResult> => {
    const c = await connect(target, clock, signal);
    if (!c.ok) return c;
    c.socket.on('error', () => undefined);
    c.socket.destroy();
    return { ok: true };
  };
}

/** TCP_CHECK on the StreamPort (fast path): connected = success, closed at once. */
export function tcpStreamProbe(target: ConnectTarget, clock: CheckClock, port: StreamPort): Probe {
  const timeouts = { connectTimeoutMs: target.connectTimeoutMs, readTimeoutMs: target.connectTimeoutMs };
  const runner = new StreamAttemptRunner(port.connector(target), clock, timeouts);
  const nothing = new Uint8Array(0);
  return (signal: AbortSignal): Promise<ProbeResult> => runner.run(nothing, undefined, signal);
}
