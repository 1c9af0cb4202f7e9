/**
 * lb_kind / lvs_method / sorry_server_lvs_method: `NAT | DR | TUN [type ipip|gue port N|gre]
 * [nocsum|csum|remcsum]`, with keepalived 2.2.7's messages.
 */
import type { ConfigNode } from '../../ast.js';
import type { Forwarding, TunnelOptions } from '../../model/lvs.js';
import { parseUnsigned } from './parse/numbers.js';
import type { LvsReporter } from './report.js';

/** `who` is "virtual", "real" or "sorry" as in keepalived's messages. */
export function parseForwarding(node: ConfigNode, args: readonly string[], who: string, r: LvsReporter): Forwarding | undefined {
  const method = args[0] ?? '';
  if (method === 'NAT' || method === 'DR') return { method };
  if (method !== 'TUN') {
    r.error(node, `PARSER : unknown [${method}] routing method for ${who} server.`);
    return undefined;
  }
  if (args.length === 1) return { method: 'TUN' };
  const tunnel = parseTunnel(node, args.slice(1), who, r);
  return tunnel ? { method: 'TUN', tunnel } : { method: 'TUN' };
}

function parseTunnel(node: ConfigNode, args: readonly string[], who: string, r: LvsReporter): TunnelOptions | undefined {
  if (args[0] !== 'type') {
    r.error(node, `Invalid tunnel option ${args[0] ?? ''} for ${who} server.`);
    return undefined;
  }
  const type = args[1];
  if (type === undefined) {
    r.error(node, `Missing tunnel type for ${who} server.`);
    return undefined;
  }
  if (type !== 'ipip' && type !== 'gue' && type !== 'gre') {
    r.error(node, `Unknown tunnel type ${type} for ${who} server.`);
    return undefined;
  }
  let i = 2;
  let guePort: number | undefined;
  if (args[i] === 'port') {
    const tok = args[i + 1];
    if (tok === undefined) {
      r.error(node, `Missing port for ${who} server gue tunnel.`);
      return undefined;
    }
    guePort = parseUnsigned(tok, 1, 65535, () => undefined);
    if (guePort === undefined) {
      r.error(node, `Invalid gue tunnel port ${tok} for ${who} server.`);
      return undefined;
    }
    i += 2;
  }
  if ((type === 'gue') !== (guePort !== undefined)) {
    r.error(node, 'gue tunnels require port, otherwise cannot have port.');
    return undefined;
  }
  const cs = args[i];
  if (cs !== undefined && cs !== 'nocsum' && cs !== 'csum' && cs !== 'remcsum') {
    r.error(node, `Invalid tunnel option ${cs} for ${who} server.`);
    return undefined;
  }
  if (cs === 'csum' && type === 'ipip') r.error(node, 'ipip tunnels do not support checksum option.');
  if (cs === 'remcsum' && type === 'gre') r.error(node, 'gre tunnels do not support remote checksum option.');
  const t: { -readonly [K in keyof TunnelOptions]: TunnelOptions[K] } = { type };
  if (guePort !== undefined) t.guePort = guePort;
  if (cs !== undefined) t.checksum = cs;
  return t;
}

/** IPVS schedulers keepalived 2.2.7 accepts. */
export const SCHEDULERS: ReadonlySet<string> = new Set([
  'rr', 'wrr', 'lc', 'wlc', 'lblc', 'sh', 'mh', 'dh', 'fo', 'ovf', 'lblcr', 'sed', 'nq', 'twos',
]);
