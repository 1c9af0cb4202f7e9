/**
 * Route and rule lists (virtual_routes/virtual_rules of an instance, static_routes/static_rules)
 * and address interface checks: keepalived 2.2.7's parse-time messages at each line.
 */
import type { ConfigLine, ConfigNode } from '../../ast.js';
import { ConfigErrorClass } from '../../diagnostics.js';
import type { ValidationContext } from '../../domain.js';
import type { RouteSpec, RuleSpec, VirtualAddress } from '../../model/vrrp.js';
import type { AddressMessage } from '../../syntax/address.js';
import { parseRouteLine, routeTrackingChecks } from '../../syntax/route.js';
import { parseRuleLine, RulePreferences } from '../../syntax/rule.js';

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
