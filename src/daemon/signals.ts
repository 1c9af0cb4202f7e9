/** The signals the daemon reacts to, behind a port so that tests can raise them. */
export type DaemonSignal = 'SIGHUP' | 'SIGTERM' | 'SIGINT' | 'SIGUSR1' | 'SIGUSR2';

export interface SignalSource {
  /** Subscribes; returns the unsubscribe function. */
  on(signal: DaemonSignal, handler: () => void): () => void;
}

export const processSignals: SignalSource = {
  on(signal, handler) {
    process.on(signal, handler);
    return () => void process.off(signal, handler);
  },
};

/** A fake source: `raise` calls the handlers synchronously. */
export class FakeSignals implements SignalSource {
  private readonly handlers = new Map<DaemonSignal, Set<() => void>>();

  on(signal: DaemonSignal, handler: () => void): () => void {
    const set = this.handlers.get(signal) ?? new Set();
    set.add(handler);
    this.handlers.set(signal, set);
    return () => void set.delete(handler);
  }

  raise(signal: DaemonSignal): void {
    for (const h of [...(this.handlers.get(signal) ?? [])]) h();
  }

  listenerCount(signal: DaemonSignal): number {
    return this.handlers.get(signal)?.size ?? 0;
  }
}
