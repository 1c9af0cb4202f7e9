/**
 * Registers the load-balancing pool (pool-wiring.ts) with its Linux ports: data plane selection
 * over the Linux factories (IPVS by generic netlink, nftables by `nft`), the asynchronous process
 * runner for quorum scripts and `nft`, the LVS notify FIFO writer and the FIFO scripts. Registered under the same
 * condition as the checkers (virtual servers in the config, checkers in the run) and before
 * them; returns the PoolSink the checkers feed.
 */
import type { PoolSink } from '../check/checker-subsystem-events.js';
import { hostname, userInfo } from 'node:os';
import { createSystemClock } from './runtime.js';
import { SmtpMailer } from '../notify/smtp-client.js';
import { selectDataPlane } from '../lb/plane-select.js';
import { linuxDataPlaneFactories } from '../os/linux/data-plane-factory.js';
import { LinuxProcessRunner, type ProcessRunner } from '../os/linux/process-runner.js';
import { configHasVirtualServers } from './checker-wiring.js';
import { fifoWriterFactory } from './pool-wiring-fifo.js';
import type { FifoScriptPort } from './pool-wiring-fifo-set.js';
import type { Logger } from './logger.js';
import { configHasVrrpInstances } from './vrrp-subsystem.js';
import { PoolSubsystem } from './pool-wiring.js';
import type { DaemonServices } from './start.js';
import type { SubsystemRegistry } from './subsystem.js';

/** A FIFO script runs as long as the daemon: its timeout is only a backstop (~24 days). */
const FIFO_SCRIPT_TIMEOUT_MS = 2 ** 31 - 1;

function fifoScriptPort(runner: ProcessRunner, log: Logger): FifoScriptPort {
  return {
    start(argv, user) {
      const abort = new AbortController();
      void runner.run({ argv, uid: user.uid, gid: user.gid, timeoutMs: FIFO_SCRIPT_TIMEOUT_MS, signal: abort.signal }).then((o) => {
        if (!abort.signal.aborted) log.warning(`LVS notify FIFO script ${argv.join(' ')} ended (${o.kind === 'exited' ? `status ${o.exitCode}` : o.kind})`);
      });
      return { stop: () => abort.abort() };
    },
  };
}

/** The name keepalived puts in the default notification_email_from (the user it runs as). */
function currentUser(): string {
  try {
    return userInfo().username;
  } catch {
    return String(process.getuid?.() ?? 'root');
  }
}

export function createLinuxPool(services: Pick<DaemonServices, 'logger' | 'options'>): PoolSubsystem {
  const runner = new LinuxProcessRunner();
  const mailer = new SmtpMailer(createSystemClock(), services.logger);
  return new PoolSubsystem({
    log: services.logger,
    selectPlane: (choice, settings) => selectDataPlane(choice, linuxDataPlaneFactories({ runner, ipvs: settings.ipvs })),
    notifyRunner: runner,
    fifos: fifoWriterFactory(runner),
    fifoScripts: fifoScriptPort(runner, services.logger),
    vrrpRunsGlobalFifoScript: services.options.subsystems.vrrp && configHasVrrpInstances(services.options),
    keepOnStop: services.options.dontReleaseIpvs,
    mail: {
      host: { hostname: hostname(), user: currentUser() },
      send: (settings, subject, body) => mailer.send(settings, subject, body),
      close: () => mailer.close(),
    },
  });
}

/** Registers the pool when the checkers will run; the sink for them, or undefined. */
export function registerPool(registry: SubsystemRegistry, services: DaemonServices): PoolSink | undefined {
  if (!services.options.subsystems.check || !configHasVirtualServers(services.options)) return undefined;
  const pool = createLinuxPool(services);
  registry.register(pool);
  return pool;
}
