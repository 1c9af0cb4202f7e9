/**
 * How the LVS domain speaks: a reporting helper bound to the validation context (parse-time
 * messages at the keyword's line, post-parse checks without a location, as keepalived does), the
 * names keepalived prints for virtual and real servers (`[192.0.2.1]:tcp:80`, `FWM 3`,
 * `[group]:N`), and the keywords whose missing parameter makes keepalived 2.2.7 exit at once.
 */
import type { ConfigNode } from '../../ast.js';
import { ConfigErrorClass, type Span } from '../../diagnostics.js';
import type { ValidationContext } from '../../domain.js';
import type { AddressFamily, LvsProtocol } from '../../model/lvs.js';

export class LvsReporter {
  /** Family of the real server being read: checkers connect to it unless connect_ip says otherwise. */
  rsFamily: 'inet' | 'inet6' | undefined;

  constructor(readonly ctx: ValidationContext) {}

  /** A parse-time error at a node's line. */
  error(node: { readonly span: Span }, message: string, cls = ConfigErrorClass.GeneralError): void {
    this.ctx.report(cls, message, node.span);
  }

  warning(node: { readonly span: Span }, message: string): void {
    this.ctx.report(ConfigErrorClass.Warning, message, node.span);
  }

  /** A number-reader message ("invalid number 'x'"), as keepalived's number readers report it. */
  number(node: { readonly span: Span }, message: string): void {
    this.ctx.report(ConfigErrorClass.InvalidNumber, message, node.span);
  }

  /** A reporter function for the number readers, bound to a node. */
  numbers(node: { readonly span: Span }): (message: string) => void {
    return (m) => this.number(node, m);
  }

  /** A message printed after parsing, without a location. */
  post(span: Span, message: string, cls = ConfigErrorClass.GeneralError): void {
    this.ctx.report(cls, message, span, 'none');
  }

  /** A message keepalived prints at the closing '}' of a block. */
  atBlockEnd(node: ConfigNode, message: string, cls = ConfigErrorClass.GeneralError): void {
    this.ctx.report(cls, message, blockEndSpan(node));
  }
}

/**
 * The span of a block's closing '}' when the structure pass records it (optional `endSpan`),
 * else the block's own line.
 */
export function blockEndSpan(node: ConfigNode): Span {
  const end = (node as ConfigNode & { readonly endSpan?: Span }).endSpan;
  return end ?? node.span;
}

export type ProtocolName = LvsProtocol | 'none';

export function formatEndpoint(address: string, protocol: ProtocolName, port: number): string {
  return `[${address}]:${protocol}:${port}`;
}

export interface VsNameParts {
  readonly kind: 'address' | 'fwmark' | 'group';
  readonly address?: string;
  readonly port?: number;
  readonly fwmark?: number;
  readonly group?: string;
  /** For group services: the index of this service among those naming the same group. */
  readonly groupIndex?: number;
  readonly family?: AddressFamily;
}

export function formatVirtualServer(vs: VsNameParts, protocol: ProtocolName): string {
  if (vs.kind === 'fwmark') return `FWM ${vs.fwmark ?? 0}`;
  if (vs.kind === 'group') return `[${vs.group ?? ''}]:${vs.groupIndex ?? 0}`;
  return formatEndpoint(vs.address ?? '', protocol, vs.port ?? 0);
}

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
