/**
 * lb_kind / lvs_method / sorry_server_lvs_method: `NAT | DR | TUN [type ipip|gue port N|gre]
 * [nocsum|csum|remcsum]`, with keepalived 2.2.7's messages.
 */
import type { ConfigNode } from '../../ast.js';
import type { Forwarding, TunnelOptions } from '../../model/lvs.js';
import { parseUnsigned } from '../../syntax/numbers.js';
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
  let hadError = false;
  const err = (m: string): void => {
    if (m.includes('tunnel type')) hadError = true;
    r.error(node, m);
  };
  const f: Forwarding = { method: 'TUN', tunnel: parseTunnel(args.slice(1), who, err, r.numbers(node)) };
  if (hadError) faulty.add(f);
  return f;
}

/** TUN methods whose tunnel type was missing or unknown (keepalived keeps TUN for them). */
const faulty = new WeakSet<Forwarding>();

/**
 * A tunnel lets real servers be of another address family than the service. (A sorry server of
 * another family is not accepted with a tunnel whose type was missing or unknown.)
 */
export function isTunnel(f: Forwarding | undefined, forSorry = false): boolean {
  return f?.method === 'TUN' && !(forSorry && faulty.has(f));
}

type MutableTunnel = { -readonly [K in keyof TunnelOptions]: TunnelOptions[K] };

/**
 * `[type ipip|gue|gre] [port N] [nocsum|csum|remcsum]` in any order. Errors are reported; the
 * method stays TUN with what was read.
 */
function parseTunnel(args: readonly string[], who: string, err: (m: string) => void, numbers: (m: string) => void): TunnelOptions {
  const t: MutableTunnel = { type: 'ipip' };
  for (let i = 0; i < args.length; i++) {
    const opt = args[i] ?? '';
    if (opt === 'type') {
      const type = args[++i];
      if (type === undefined) {
        err(`Missing tunnel type for ${who} server.`);
        return t;
      }
      if (type !== 'ipip' && type !== 'gue' && type !== 'gre') {
        err(`Unknown tunnel type ${type} for ${who} server.`);
        return t;
      }
      t.type = type;
    } else if (opt === 'port') {
      const tok = args[++i];
      if (tok === undefined) {
        err(`Missing port for ${who} server gue tunnel.`);
        return t;
      }
      const port = parseUnsigned(tok, 1, 65535, numbers);
      if (port === undefined) {
        err(`Invalid gue tunnel port ${tok} for ${who} server.`);
        return t;
      }
      t.guePort = port;
    } else if (opt === 'nocsum' || opt === 'csum' || opt === 'remcsum') {
      t.checksum = opt;
    } else {
      err(`Invalid tunnel option ${opt} for ${who} server.`);
      return t;
    }
  }
  if ((t.type === 'gue') !== (t.guePort !== undefined)) err('gue tunnels require port, otherwise cannot have port.');
  else if (t.checksum === 'csum' && t.type === 'ipip') err('ipip tunnels do not support checksum option.');
  else if (t.checksum === 'remcsum' && t.type === 'gre') err('gre tunnels do not support remote checksum option.');
  return t;
}

/** IPVS schedulers keepalived 2.2.7 accepts. */
export const SCHEDULERS: ReadonlySet<string> = new Set([
  'rr', 'wrr', 'lc', 'wlc', 'lblc', 'sh', 'mh', 'dh', 'fo', 'ovf', 'lblcr', 'sed', 'nq', 'twos',
]);
