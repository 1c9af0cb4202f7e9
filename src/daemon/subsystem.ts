/**
 * What the daemon runs: the VRRP engine, the checker engine (and later BFD) implement Subsystem
 * and are registered before start. The daemon owns the lifecycle; a subsystem owns its sockets,
 * timers and kernel state.
 */
import type { ConfigModel } from '../config/domain.js';

export type ConfigSnapshot = Partial<ConfigModel>;

/** SIGUSR1 writes 'data' (keepalived.data), SIGUSR2 writes 'stats' (keepalived.stats). */
export type DumpKind = 'data' | 'stats';

export interface Subsystem {
  /** Short name for logs ("vrrp", "checker"). */
  readonly name: string;
  /** Starts with the first validated configuration. */
  start(model: ConfigSnapshot): Promise<void>;
  /** Applies a new validated configuration (SIGHUP); only called with one that loaded cleanly. */
  reload(model: ConfigSnapshot): Promise<void>;
  /** Graceful stop; must resolve before `deadlineMs` (milliseconds from now) or be abandoned. */
  shutdown(deadlineMs: number): Promise<void>;
  /** Text for the SIGUSR1/SIGUSR2 dump files; undefined when it has nothing of that kind. */
  dump?(kind: DumpKind): string | undefined;
}

/** Ordered registry: started in registration order, stopped in reverse. */
export class SubsystemRegistry {
  private readonly items: Subsystem[] = [];

  register(subsystem: Subsystem): void {
    if (this.items.some((s) => s.name === subsystem.name)) {
      throw new DuplicateSubsystemError(subsystem.name);
    }
    this.items.push(subsystem);
  }

  list(): readonly Subsystem[] {
    return this.items;
  }

  get size(): number {
    return this.items.length;
  }
}

export class DuplicateSubsystemError extends Error {
  readonly code = 'DUPLICATE_SUBSYSTEM';
  constructor(name: string) {
    super(`subsystem '${name}' registered twice`);
    this.name = 'DuplicateSubsystemError';
  }
}
