/** TCP_CHECK: the attempt succeeds when the connection is established (then closed at once). */
import type { CheckClock } from '../clock.js';
import { connect, type ConnectTarget } from '../connect.js';
import type { Probe, ProbeResult } from '../probe.js';

export function tcpProbe(target: ConnectTarget, clock: CheckClock): Probe {
  return async (signal: AbortSignal): Promise<ProbeResult> => {
    const c = await connect(target, clock, signal);
    if (!c.ok) return c;
    c.socket.on('error', () => undefined);
    c.socket.destroy();
    return { ok: true };
  };
}
