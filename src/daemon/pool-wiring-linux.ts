/**
 * Registers the load-balancing pool (pool-wiring.ts) with its Linux ports: data plane selection
 * over the Linux factories (IPVS by generic netlink, nftables by `nft`), the asynchronous process
 * runner for quorum scripts and `nft`, and the LVS notify FIFO writer. Registered under the same
 * condition as the checkers (virtual servers in the config, checkers in the run) and before
 * them; returns the PoolSink the checkers feed.
 */
import type { PoolSink } from '../check/checker-subsystem-events.js';
import { selectDataPlane } from '../lb/plane-select.js';
import { linuxDataPlaneFactories } from '../os/linux/data-plane-factory.js';
import { LinuxProcessRunner } from '../os/linux/process-runner.js';
import { configHasVirtualServers } from './checker-wiring.js';
import { fifoWriterFactory } from './pool-wiring-fifo.js';
import { PoolSubsystem } from './pool-wiring.js';
import type { DaemonServices } from './start.js';
import type { SubsystemRegistry } from './subsystem.js';

export function createLinuxPool(services: Pick<DaemonServices, 'logger' | 'options'>): PoolSubsystem {
  const runner = new LinuxProcessRunner();
  const factories = linuxDataPlaneFactories({ runner });
  return new PoolSubsystem({
    log: services.logger,
    selectPlane: (choice) => selectDataPlane(choice, factories),
    notifyRunner: runner,
    fifos: fifoWriterFactory(runner),
    keepOnStop: services.options.dontReleaseIpvs,
  });
}

/** Registers the pool when the checkers will run; the sink for them, or undefined. */
export function registerPool(registry: SubsystemRegistry, services: DaemonServices): PoolSink | undefined {
  if (!services.options.subsystems.check || !configHasVirtualServers(services.options)) return undefined;
  const pool = createLinuxPool(services);
  registry.register(pool);
  return pool;
}
