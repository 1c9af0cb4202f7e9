/**
 * Aggregates checker states into real-server health: a real server is UP only when every one of
 * its checkers is up (keepalived's rule). Pure bookkeeping, no timers.
 */
export interface ServerTransition {
  readonly serverId: string;
  readonly up: boolean;
  /** The checker whose change caused this transition. */
  readonly checkerId: string;
  readonly reason: string;
}

export class ServerHealth {
  private readonly checkers = new Map<string, Map<string, boolean>>();

  /** Registers a checker with its initial state. */
  add(serverId: string, checkerId: string, up: boolean): void {
    let server = this.checkers.get(serverId);
    if (!server) {
      server = new Map();
      this.checkers.set(serverId, server);
    }
    server.set(checkerId, up);
  }

  remove(serverId: string, checkerId: string): void {
    const server = this.checkers.get(serverId);
    server?.delete(checkerId);
    if (server && server.size === 0) this.checkers.delete(serverId);
  }

  /** Undefined for a server with no checkers. */
  isUp(serverId: string): boolean | undefined {
    const server = this.checkers.get(serverId);
    if (!server) return undefined;
    for (const up of server.values()) if (!up) return false;
    return true;
  }

  servers(): string[] {
    return [...this.checkers.keys()];
  }

  /**
   * Records a checker change; returns the server transition it causes, if any.
   */
  update(serverId: string, checkerId: string, up: boolean, reason: string): ServerTransition | undefined {
    const server = this.checkers.get(serverId);
    if (!server || !server.has(checkerId)) return undefined;
    const before = this.isUp(serverId);
    server.set(checkerId, up);
    const after = this.isUp(serverId);
    if (before === after || after === undefined) return undefined;
    return { serverId, up: after, checkerId, reason };
  }
}
