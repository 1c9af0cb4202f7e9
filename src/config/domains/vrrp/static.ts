/**
 * Route and rule lists (virtual_routes/virtual_rules of an instance, static_routes/static_rules),
 * address interface checks, and the other VRRP-pass blocks outside instances (static_ipaddress,
 * garp_group, linkbeat_interfaces, interface_up_down_delays, track_group), with keepalived
 * 2.2.7's parse-time messages at each line (probed with keepalived -t).
 */
import type { ConfigLine, ConfigNode } from '../../ast.js';
import { ConfigErrorClass } from '../../diagnostics.js';
import type { ValidationContext } from '../../domain.js';
import type { GarpGroup, InterfaceUpDownDelay, LinkbeatInterface, RouteSpec, RuleSpec, StaticAddress, TrackGroup, VirtualAddress } from '../../model/vrrp.js';
import { parseAddressLine, type AddressMessage } from '../../syntax/address.js';
import { parseRouteLine, routeTrackingChecks } from '../../syntax/route.js';
import { parseRuleLine, RulePreferences } from '../../syntax/rule.js';
import { readDecimalScaled, readTimerUs } from '../../syntax/numbers.js';
import { err, take } from '../global/read.js';
import { blockEnd } from './trackers.js';

/** State shared by every list of the VRRP pass. */
export interface RouteContext {
  readonly ctx: ValidationContext;
  /** dynamic_interfaces: missing interfaces are not reported. */
  readonly dynamic: boolean;
  readonly rulePreferences: RulePreferences;
  /** Called when a named interface does not exist (keepalived then stops after the pass). */
  readonly onMissingInterface: () => void;
}

function report(rc: RouteContext, line: ConfigLine, msgs: readonly AddressMessage[]): void {
  for (const m of msgs) rc.ctx.report(m.kind === 'number' ? ConfigErrorClass.InvalidNumber : ConfigErrorClass.GeneralError, m.text, line.span);
}

/** True when the interface exists (or need not exist yet). */
function interfaceExists(rc: RouteContext, name: string): boolean {
  return rc.dynamic || rc.ctx.env.interfaces().has(name);
}

function missing(rc: RouteContext, line: ConfigLine, message: string): void {
  rc.ctx.report(ConfigErrorClass.GeneralError, message, line.span);
  rc.onMissingInterface();
}

export function readRoutes(node: ConfigNode, rc: RouteContext): RouteSpec[] {
  const out: RouteSpec[] = [];
  for (const line of node.lines ?? []) {
    const r = parseRouteLine(line.tokens);
    report(rc, line, r.messages);
    if (!r.route) continue;
    const devs = [r.route.dev, ...r.route.nexthops.map((n) => n.dev)];
    for (const dev of devs) {
      if (dev !== undefined && !interfaceExists(rc, dev)) missing(rc, line, `WARNING - interface ${dev} for VROUTE nexthop doesn't exist`);
    }
    const t = routeTrackingChecks(r.route);
    for (const m of t.messages) rc.ctx.report(ConfigErrorClass.GeneralError, m, line.span);
    const route = { ...r.route, noTrack: t.noTrack, span: line.span };
    if (t.messages.length > 0 && !t.noTrack) delete (route as { protocol?: string }).protocol;
    out.push(route);
  }
  return out;
}

export function readRules(node: ConfigNode, rc: RouteContext): RuleSpec[] {
  const out: RuleSpec[] = [];
  for (const line of node.lines ?? []) {
    const r = parseRuleLine(line.tokens);
    report(rc, line, r.messages);
    if (!r.rule) continue;
    let preference = r.rule.preference;
    if (preference === undefined) {
      const a = rc.rulePreferences.assign(r.rule.family);
      rc.ctx.report(ConfigErrorClass.GeneralError, a.message, line.span);
      preference = a.preference;
    }
    for (const dev of [r.rule.iif, r.rule.oif]) {
      if (dev !== undefined && !interfaceExists(rc, dev)) missing(rc, line, `WARNING - interface ${dev} for rule doesn't exist`);
    }
    out.push({ ...r.rule, preference, span: line.span });
  }
  return out;
}

/** An address with `dev` naming an interface that does not exist. */
export function checkAddressInterface(a: VirtualAddress, line: ConfigLine, rc: RouteContext): void {
  if (a.dev === undefined || interfaceExists(rc, a.dev)) return;
  const text = a.prefixLength === (a.family === 4 ? 32 : 128) ? a.address : `${a.address}/${a.prefixLength}`;
  missing(rc, line, `WARNING - interface ${a.dev} for ip address ${text} doesn't exist`);
}

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
