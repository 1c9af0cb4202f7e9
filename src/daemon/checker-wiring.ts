/**
 * Wires the checker subsystem (src/check/checker-subsystem.ts) to Linux: the process runner for
 * MISC_CHECK and notify scripts, ICMP echo clients for PING_CHECK (opened on first use), the
 * epoll-based stream port for TCP_CHECK/HTTP_GET (opened on first use), async
 * file reads for FILE_CHECK, track_file paths from the vrrp model, the host's addresses over
 * rtnetlink for ha_suspend, and the daemon's clock and logger. Registered unless -C/-P/-B restricted the run away from the checkers, and only when the
 * configuration has a virtual_server.
 */
import { open } from 'node:fs/promises';
import { randomInt } from 'node:crypto';
import type { LvsModel } from '../config/model/lvs.js';
import { CheckerSubsystem } from '../check/checker-subsystem.js';
import { NOOP_POOL_SINK, type PoolSink } from '../check/checker-subsystem-events.js';
import { createProbeBuilder } from '../check/checker-subsystem-probes.js';
import { TimerQueue } from '../check/timer-queue.js';
import type { EchoPort } from '../check/probes/ping-check.js';
import type { ConfigEnvironment } from '../config/environment.js';
import { configHasTopLevel, type ConfigProbeOptions } from './config-probe.js';
import { LinuxAddressPresence } from '../os/linux/address-presence-linux.js';
import { IcmpEchoClient } from '../os/linux/icmp-echo-client.js';
import { LinuxProcessRunner } from '../os/linux/process-runner.js';
import { EpollStreamPort } from '../os/linux/stream-exchange.js';
import type { Logger } from './logger.js';
import type { Clock } from './runtime.js';
import type { ConfigSnapshot, DumpKind, Subsystem, SubsystemRegistry } from './subsystem.js';

/**
 * Checker timers due within the same 10 ms share one wake-up (never early; 1% of a 1 s delay_loop,
 * still 100 evenly filled slots per second): thousands of checks
 * per second at a few wake-ups per ms would spend more CPU in the event loop than in the checks.
 */
export const CHECKER_TIMER_RESOLUTION_MS = 10;

/** Uniform [0, 1): the daemon injects the real randomness (checker warmup/jitter, DNS ids). */
const systemRng = (): number => Math.random();

async function readHead(path: string, maxBytes: number): Promise<Uint8Array | undefined> {
  let handle;
  try {
    handle = await open(path, 'r');
    const buf = Buffer.alloc(maxBytes);
    const { bytesRead } = await handle.read(buf, 0, maxBytes, 0);
    return buf.subarray(0, bytesRead);
  } catch {
    return undefined;
  } finally {
    await handle?.close();
  }
}

/** One IcmpEchoClient per family, opened when a PING_CHECK first needs it. */
class LazyEcho {
  private clients = new Map<4 | 6, IcmpEchoClient>();
  constructor(private readonly clock: Clock) {}

  port(family: 4 | 6): EchoPort {
    return {
      probe: async (target, timeoutMs) => {
        let client = this.clients.get(family);
        if (!client) {
          client = IcmpEchoClient.open({ family, clock: this.clock, random: () => randomInt(0, 2 ** 32) });
          this.clients.set(family, client);
        }
        return client.probe(target, timeoutMs);
      },
    };
  }

  close(): void {
    for (const c of this.clients.values()) c.close();
    this.clients.clear();
  }
}

/** The daemon-facing subsystem: the checker engine plus the Linux resources it opened. */
export class LinuxCheckerSubsystem implements Subsystem {
  readonly name = 'checker';
  private readonly engine: CheckerSubsystem;
  private readonly echo: LazyEcho;
  private readonly stream = new EpollStreamPort();
  private trackFiles = new Map<string, string>();

  constructor(logger: Logger, daemonClock: Clock, sink: PoolSink = NOOP_POOL_SINK) {
    this.echo = new LazyEcho(daemonClock);
    const runner = new LinuxProcessRunner();
    // Every checker timer (attempts, deadlines, connect/read timeouts) lives in one queue on ONE
    // daemon timer: thousands of checkers do not mean thousands of runtime timers.
    const clock = new TimerQueue(daemonClock, CHECKER_TIMER_RESOLUTION_MS);
    const buildProbe = createProbeBuilder({
      clock,
      rng: systemRng,
      stream: this.stream,
      runner,
      echo: { v4: this.echo.port(4), v6: this.echo.port(6) },
      readFile: readHead,
      trackFilePath: (name) => this.trackFiles.get(name),
    });
    // ha_suspend: the host's addresses over rtnetlink (opened only when a virtual server uses it)
    const addresses = new LinuxAddressPresence((m) => logger.error(m));
    this.engine = new CheckerSubsystem({ clock, rng: systemRng, log: logger, sink, buildProbe, notifyRunner: runner, addresses });
  }

  private remember(model: ConfigSnapshot): { lvs?: LvsModel } {
    this.trackFiles = new Map((model.vrrp?.trackFiles ?? []).map((t) => [t.name, t.path]));
    return model.lvs !== undefined ? { lvs: model.lvs } : {};
  }

  start(model: ConfigSnapshot): Promise<void> {
    return this.engine.start(this.remember(model));
  }

  reload(model: ConfigSnapshot): Promise<void> {
    return this.engine.reload(this.remember(model));
  }

  async shutdown(deadlineMs: number): Promise<void> {
    await this.engine.shutdown(deadlineMs);
    this.echo.close();
    this.stream.close();
  }

  dump(kind: DumpKind): string | undefined {
    return this.engine.dump(kind);
  }
}

type CheckerRegistrationOptions = ConfigProbeOptions & { readonly subsystems: { readonly check: boolean } };

/** Whether the configuration has a virtual_server (includes and conditionals expanded). */
export function configHasVirtualServers(options: ConfigProbeOptions, env?: ConfigEnvironment): boolean {
  return configHasTopLevel('virtual_server', options, env);
}

/**
 * Registers the checker subsystem when the config has virtual servers and the run includes the
 * checkers; its events go to `sink` (the pool, see pool-wiring-linux.ts).
 */
export function registerCheckers(registry: SubsystemRegistry, services: { readonly logger: Logger; readonly clock: Clock; readonly options: CheckerRegistrationOptions }, sink: PoolSink = NOOP_POOL_SINK): void {
  if (services.options.subsystems.check && configHasVirtualServers(services.options)) registry.register(new LinuxCheckerSubsystem(services.logger, services.clock, sink));
}
