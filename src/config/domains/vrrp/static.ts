/**
 * VRRP-pass blocks outside instances: static_ipaddress, static_routes, static_rules, garp_group,
 * linkbeat_interfaces, interface_up_down_delays and track_group, with keepalived 2.2.7's
 * parse-time messages (probed with keepalived -t).
 */
import type { ConfigNode } from '../../ast.js';
import { ConfigErrorClass } from '../../diagnostics.js';
import type { ValidationContext } from '../../domain.js';
import type { GarpGroup, InterfaceUpDownDelay, LinkbeatInterface, RouteSpec, RuleSpec, StaticAddress, TrackGroup } from '../../model/vrrp.js';
import { parseAddressLine } from '../../syntax/address.js';
import { readDecimalScaled, readTimerUs } from '../../syntax/numbers.js';
import { err, take } from '../global/read.js';
import { checkAddressInterface, readRoutes, readRules, type RouteContext } from './routes.js';
import { blockEnd } from './trackers.js';

function extraParameters(node: ConfigNode, ctx: ValidationContext): void {
  if (node.args.length > 0) err(ctx, node, `Block ${node.keyword} has extra parameters ${node.args.join(' ')} ...`);
}

export function readStaticAddresses(node: ConfigNode, rc: RouteContext): StaticAddress[] {
  const { ctx } = rc;
  extraParameters(node, ctx);
  const dflt = ctx.model.global?.defaultInterface ?? 'eth0';
  const out: StaticAddress[] = [];
  for (const line of node.lines ?? []) {
    const r = parseAddressLine(line.tokens);
    for (const m of r.messages) ctx.report(m.kind === 'number' ? ConfigErrorClass.InvalidNumber : ConfigErrorClass.GeneralError, m.text, line.span);
    if (!r.address) continue;
    const a = { ...r.address, span: line.span };
    if (a.dev === undefined && !ctx.env.interfaces().has(dflt) && !rc.dynamic) {
      const text = a.prefixLength === (a.family === 4 ? 32 : 128) ? a.address : `${a.address}/${a.prefixLength}`;
      ctx.report(ConfigErrorClass.Fatal, `Static address ${text} requires either an interface or default interface must exist`, line.span);
      rc.onMissingInterface();
      continue;
    }
    checkAddressInterface(a, line, rc);
    out.push({ ...a, dev: a.dev ?? dflt });
  }
  return out;
}

export function readStaticRoutes(node: ConfigNode, rc: RouteContext): RouteSpec[] {
  extraParameters(node, rc.ctx);
  return readRoutes(node, rc);
}

export function readStaticRules(node: ConfigNode, rc: RouteContext): RuleSpec[] {
  extraParameters(node, rc.ctx);
  return readRules(node, rc);
}

/** garp_group: an interface may belong to one group only. */
export function readGarpGroup(node: ConfigNode, rc: RouteContext, taken: Set<string>): GarpGroup | undefined {
  const { ctx } = rc;
  const g: { garpIntervalUs?: number; gnaIntervalUs?: number; interfaces: string[] } = { interfaces: [] };
  const add = (name: string, c: ConfigNode, shownName: string): void => {
    if (taken.has(name)) { err(ctx, c, `garp_group already specified for ${shownName} - ignoring`); return; }
    if (!ctx.env.interfaces().has(name) && !rc.dynamic) {
      err(ctx, c, `WARNING - interface ${name} specified for garp_group doesn't exist`);
      rc.onMissingInterface();
      return;
    }
    taken.add(name);
    g.interfaces.push(name);
  };
  for (const c of node.children ?? []) {
    if (c.keyword === 'garp_interval' || c.keyword === 'gna_interval') {
      const a = c.args[0] ?? '';
      const v = take(readTimerUs(a), c, ctx);
      if (v === undefined) err(ctx, c, `Invalid ${c.keyword} '${a}' - ignoring`);
      else if (c.keyword === 'garp_interval') g.garpIntervalUs = v;
      else g.gnaIntervalUs = v;
    } else if (c.keyword === 'interface') add(c.args[0] ?? '', c, c.args[0] ?? '');
    else if (c.keyword === 'interfaces') {
      const words = (c.lines ?? []).flatMap((l) => l.tokens);
      const at = { ...c, span: blockEnd(c) };
      // keepalived names the interface after the one already in a group
      words.forEach((w, i) => add(w, at, words[i + 1] ?? w));
    }
  }
  if (g.garpIntervalUs === undefined && g.gnaIntervalUs === undefined) {
    err(ctx, { ...node, span: blockEnd(node) }, `garp group ${g.interfaces.length} does not have any delay set - removing`);
    return undefined;
  }
  return g;
}

export function readLinkbeat(node: ConfigNode, rc: RouteContext): LinkbeatInterface[] {
  const out: LinkbeatInterface[] = [];
  for (const line of node.lines ?? []) {
    const [name = '', method, ...extra] = line.tokens;
    const at = { keyword: name, args: [], span: line.span };
    if (method !== undefined && method !== 'MII' && method !== 'ETHTOOL' && method !== 'IOCTL') {
      err(rc.ctx, at, `extra characters ${[method, ...extra].join(' ')} in linkbeat interface`);
    }
    if (!rc.ctx.env.interfaces().has(name) && !rc.dynamic) {
      rc.ctx.report(ConfigErrorClass.Fatal, `unknown interface ${name} specified for linkbeat interface`, line.span);
      continue;
    }
    out.push({ name, method: method === 'MII' || method === 'ETHTOOL' || method === 'IOCTL' ? method : 'ETHTOOL' });
  }
  return out;
}

export function readUpDownDelays(node: ConfigNode, rc: RouteContext): InterfaceUpDownDelay[] {
  const out: InterfaceUpDownDelay[] = [];
  for (const line of node.lines ?? []) {
    const [name = '', down = '', up] = line.tokens;
    const at = { keyword: name, args: [], span: line.span };
    if (!rc.ctx.env.interfaces().has(name)) {
      rc.ctx.report(ConfigErrorClass.Fatal, `unknown interface ${name} specified for up/down delay`, line.span);
      continue;
    }
    if (down === '') { out.push({ name, downDelayS: 0, upDelayS: 0 }); continue; }
    const downUs = take(readDecimalScaled(down, 6, 0, 255_000_000), at, rc.ctx);
    if (downUs === undefined) continue;
    const upUs = up === undefined ? downUs : take(readDecimalScaled(up, 6, 0, 255_000_000), at, rc.ctx);
    if (upUs === undefined) continue;
    out.push({ name, downDelayS: downUs / 1e6, upDelayS: upUs / 1e6 });
  }
  return out;
}

export function readTrackGroup(node: ConfigNode): TrackGroup {
  const members = (node.children ?? []).filter((c) => c.keyword === 'group').flatMap((c) => (c.lines ?? []).flatMap((l) => l.tokens));
  return { name: node.args[0] ?? '', members };
}
