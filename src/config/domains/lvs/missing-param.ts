/**
 * Keywords whose handler in keepalived 2.2.7 reads its first parameter unconditionally: written
 * bare, keepalived prints "*** Configuration line starting `KW` is missing a parameter ..." and
 * exits at once (exit 2). Probed keyword by keyword with `keepalived -t`.
 */
import type { ConfigNode } from '../../ast.js';
import { ConfigErrorClass } from '../../diagnostics.js';
import type { LvsReporter } from './report.js';

const NEEDS_PARAMETER: ReadonlySet<string> = new Set([
  'bind_if', 'bind_port', 'bindto', 'connect_ip', 'connect_port', 'connect_timeout', 'delay_before_retry',
  'delay_loop', 'digest', 'fwmark', 'hoplimit', 'hysteresis', 'idle_tx', 'ip_family', 'lb_algo', 'lb_kind',
  'lthreshold', 'lvs_method', 'lvs_sched', 'max_hops', 'max_reply_length', 'min_reply_length', 'min_rx',
  'min_tx', 'misc_timeout', 'multiplier', 'name', 'nb_get_retry', 'notify_down', 'notify_up', 'path',
  'persistence_engine', 'persistence_granularity', 'protocol', 'quorum', 'quorum_down', 'quorum_up', 'retry',
  'sorry_server', 'source_ip', 'track_file', 'ttl', 'type', 'uthreshold', 'warmup', 'weight',
  'virtual_server', 'virtual_server_group', 'real_server',
]);

/** Block keywords in which a keyword of the list may be bare (it has another meaning there). */
const EXCEPTIONS: Readonly<Record<string, ReadonlySet<string>>> = {
  FILE_CHECK: new Set(['weight']),
  BFD_CHECK: new Set(['name']),
  // nb_get_retry reports its deprecation first (checkers/http.ts).
  HTTP_GET: new Set(['nb_get_retry']),
  SSL_GET: new Set(['nb_get_retry']),
};

export const MISSING_PARAMETER_PREFIX = '*** Configuration line starting';

/** True (after reporting keepalived's fatal message) when `c` lacks a mandatory parameter. */
export function missingParameter(c: ConfigNode, r: LvsReporter, blockKeyword: string): boolean {
  if (c.args.length > 0 || !NEEDS_PARAMETER.has(c.keyword)) return false;
  if (EXCEPTIONS[blockKeyword]?.has(c.keyword)) return false;
  reportMissingParameter(c, r);
  return true;
}

export function reportMissingParameter(c: ConfigNode, r: LvsReporter): void {
  r.error(c, `${MISSING_PARAMETER_PREFIX} \`${c.keyword}\` is missing a parameter after keyword \`${c.keyword}\` at word position 2`, ConfigErrorClass.MissingParameter);
}
