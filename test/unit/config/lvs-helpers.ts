/**
 * Runs the config pipeline with the LVS and BFD domains over a text, for the LVS/checker/BFD tests.
 * Expected lines come from keepalived 2.2.7 (`keepalived -t -f FILE`) on the same text.
 */
import { formatDiagnostic } from '../../../src/config/diagnostics.js';
import { fromDomain, type DomainEntry } from '../../../src/config/domains.js';
import { bfdDomain } from '../../../src/config/domains/bfd/index.js';
import { lvsDomain } from '../../../src/config/domains/lvs/index.js';
import type { BfdModel } from '../../../src/config/model/bfd.js';
import type { LvsModel } from '../../../src/config/model/lvs.js';
import { loadConfigWith } from '../../../src/config/pipeline.js';
import { FakeConfigEnvironment, type FakeEnvOptions } from '../../support/config-fake-env.js';

export const MAIN = 'k.conf';

export interface LvsRun {
  readonly lines: string[];
  readonly exitCode: number;
  /** Empty when keepalived would have stopped before the checker pass completed. */
  readonly lvs: LvsModel;
  readonly bfd: BfdModel | undefined;
}

const DOMAINS: DomainEntry[] = [fromDomain(lvsDomain), fromDomain(bfdDomain)];

export function runLvs(text: string, env: Partial<FakeEnvOptions> = {}, domains: readonly DomainEntry[] = DOMAINS): LvsRun {
  const fake = new FakeConfigEnvironment({ cwd: '/work', ...env, files: { [MAIN]: text, ...(env.files ?? {}) } });
  const r = loadConfigWith(domains, MAIN, fake);
  const lvs = r.model.lvs;
  return { lines: r.diagnostics.list.map(formatDiagnostic), exitCode: r.abortExitCode ?? r.diagnostics.exitCode, lvs: lvs ?? { virtualServers: [], groups: new Map() }, bfd: r.model.bfd };
}

/** A virtual server block with one real server containing `inner`. */
export function vsWith(inner: string, vsExtra = '', header = '192.0.2.1 80'): string {
  return `virtual_server ${header} {\n  protocol TCP\n  lb_algo rr\n  lb_kind NAT\n${vsExtra}  real_server 192.0.2.2 80 {\n${inner}  }\n}\n`;
}
