/**
 * SIGHUP handling: one reload at a time. A SIGHUP during a reload queues exactly one more
 * (further ones coalesce into it), as keepalived queues a reload that arrives while one runs.
 */
export class ReloadQueue {
  private running = false;
  private pending = false;
  private idleWaiters: (() => void)[] = [];

  constructor(private readonly task: () => Promise<void>) {}

  /** Asks for a reload; returns at once. */
  request(): void {
    if (this.running) {
      this.pending = true;
      return;
    }
    void this.loop();
  }

  get busy(): boolean {
    return this.running;
  }

  /** Resolves when no reload is running or queued. */
  idle(): Promise<void> {
    if (!this.running) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private async loop(): Promise<void> {
    this.running = true;
    try {
      do {
        this.pending = false;
        try {
          await this.task();
        } catch {
          // the task reports its own failures; the queue keeps serving
        }
      } while (this.pending);
    } finally {
      this.running = false;
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of waiters) w();
    }
  }
}
