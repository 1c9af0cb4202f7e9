/**
 * Builds the probe of every checker kind from the model, on ports the daemon injects (process
 * runner, ICMP echo clients, file reader, track_file lookup). Nothing here touches the kernel
 * itself; TCP_CHECK and HTTP_GET use the injected StreamPort when there is one, else (and SSL_GET
 * always) Node's sockets through src/check/connect.ts.
 */
import type { LvsModel } from '../config/model/lvs.js';
import type { CheckClock, Rng } from './clock.js';
import type { CheckerPlan, ServerPlan } from './checker-subsystem-plan.js';
import type { Probe } from './probe.js';
import type { StreamPort } from './stream-port.js';
import { buildProbe } from './probes/factory.js';
import { createMiscCheckProbe, type MiscProcessRunner } from './probes/misc-check.js';
import { createFileCheckProbe } from './probes/file-check.js';
import { createSmtpCheckProbe } from './probes/smtp-check.js';
import { createDnsCheckProbe } from './probes/dns-check.js';
import { createUdpCheckProbe } from './probes/udp-check.js';
import { createPingCheckProbe, type EchoPort } from './probes/ping-check.js';

export interface ProbePorts {
  readonly clock: CheckClock;
  readonly rng: Rng;
  /** Fast path for TCP_CHECK / HTTP_GET (src/os/linux/stream-exchange.ts). */
  readonly stream?: StreamPort;
  readonly runner?: MiscProcessRunner;
  readonly echo?: { readonly v4?: EchoPort; readonly v6?: EchoPort };
  readonly readFile?: (path: string, maxBytes: number) => Promise<Uint8Array | undefined>;
  /** track_file NAME -> its file path (from the vrrp/global model); undefined when unknown. */
  readonly trackFilePath?: (name: string) => string | undefined;
  /** uid/gid a script runs as (script_user), when the daemon resolved one. */
  readonly scriptUser?: { readonly uid: number; readonly gid: number };
}

/** Builds one probe; rejects (with a message for the log) when the checker cannot run. */
export type ProbeBuilder = (server: ServerPlan, checker: CheckerPlan, lvs: LvsModel) => Promise<Probe>;

export class UnsupportedCheckerError extends Error {
  readonly code = 'CHECK_UNSUPPORTED';
  constructor(message: string) {
    super(message);
    this.name = 'UnsupportedCheckerError';
  }
}

export function createProbeBuilder(ports: ProbePorts): ProbeBuilder {
  return async (server, plan, lvs) => {
    const c = plan.checker;
    const rs = server.rs;
    switch (c.type) {
      case 'TCP_CHECK':
      case 'HTTP_GET':
      case 'SSL_GET':
        return buildProbe(c, rs, { clock: ports.clock, ...(lvs.ssl !== undefined ? { ssl: lvs.ssl } : {}), ...(ports.stream !== undefined ? { stream: ports.stream } : {}) });
      case 'MISC_CHECK':
        if (!ports.runner) throw new UnsupportedCheckerError('MISC_CHECK needs a process runner');
      {
        const runAs = c.script.runAs ?? ports.scriptUser;
        return createMiscCheckProbe(c, { runner: ports.runner, realServerWeight: rs.weight, ...(runAs ? { runAs } : {}) });
      }
      case 'SMTP_CHECK':
        return createSmtpCheckProbe(c, { realServer: rs.endpoint, clock: ports.clock });
      case 'DNS_CHECK':
        return createDnsCheckProbe(c, { realServer: rs.endpoint, clock: ports.clock, random: ports.rng });
      case 'UDP_CHECK':
        return createUdpCheckProbe(c, { realServer: rs.endpoint, clock: ports.clock, random: ports.rng });
      case 'PING_CHECK':
        if (!ports.echo) throw new UnsupportedCheckerError('PING_CHECK needs an ICMP echo client');
        return createPingCheckProbe(c, { realServer: rs.endpoint, echo: ports.echo });
      case 'FILE_CHECK':
        return fileProbe(c.trackFile, plan, rs.weight, ports);
      case 'BFD_CHECK':
        throw new UnsupportedCheckerError(`BFD_CHECK ${c.bfdName} is not supported by keepalived-ts yet`);
    }
  };
}

function fileProbe(trackFile: string, plan: CheckerPlan, realServerWeight: number, ports: ProbePorts): Probe {
  const path = ports.trackFilePath?.(trackFile);
  if (path === undefined) throw new UnsupportedCheckerError(`track_file ${trackFile} is not defined`);
  if (!ports.readFile) throw new UnsupportedCheckerError('FILE_CHECK needs a file reader');
  if (plan.checker.type !== 'FILE_CHECK') throw new UnsupportedCheckerError('not a FILE_CHECK');
  return createFileCheckProbe(plan.checker, { path, readFile: ports.readFile, realServerWeight });
}
