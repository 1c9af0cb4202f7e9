/**
 * keepalived 2.2.7's post-parse VRRP checks, in its order and wording: interfaces exist,
 * track script resolution, "Disabling track script X since not found/accessible", missing VIPs,
 * unicast without peers, duplicate VRIDs, and the script security summary.
 */
import { ConfigErrorClass, type Span } from '../../diagnostics.js';
import type { ValidationContext } from '../../domain.js';
import { resolveScriptPath, type ScriptContext } from '../../scripts.js';
import type { InstanceDraft } from './instance.js';
import type { ParsedVrrpScript } from './trackers.js';

function say(ctx: ValidationContext, span: Span, message: string, cls = ConfigErrorClass.GeneralError): void {
  ctx.report(cls, message, span, 'none');
}

/** Returns false when keepalived stops (non-existent interface is fatal). */
export function checkInterfaces(drafts: readonly InstanceDraft[], ctx: ValidationContext, dynamic: boolean): boolean {
  const ifs = ctx.env.interfaces();
  let missing = false;
  for (const d of drafts) {
    if (d.interface !== undefined && !ifs.has(d.interface) && !dynamic) {
      ctx.report(ConfigErrorClass.GeneralError, `WARNING - interface ${d.interface} for vrrp_instance ${d.name} doesn't exist`, d.interfaceSpan ?? d.span);
      missing = true;
    }
    for (const t of d.trackInterfaces) {
      if (!ifs.has(t.name) && !dynamic) {
        ctx.report(ConfigErrorClass.GeneralError, `(${d.name}) tracked interface ${t.name} doesn't exist`, t.span);
        missing = true;
      }
    }
  }
  if (missing) say(ctx, drafts[0]?.span ?? { file: '', line: 0 }, 'Non-existent interface specified in configuration', ConfigErrorClass.BadInterface);
  return !missing;
}

/** Scripts used by an instance are checked; unused ones are dropped silently. */
export function checkScripts(drafts: readonly InstanceDraft[], scripts: ReadonlyMap<string, ParsedVrrpScript>, ctx: ValidationContext, sc: ScriptContext): Set<string> {
  const usable = new Set<string>();
  const used = new Set<string>();
  for (const d of drafts) for (const t of d.trackScripts) if (scripts.has(t.name)) used.add(t.name);
  for (const [name, s] of scripts) {
    if (!used.has(name)) continue;
    const program = s.command.argv[0] ?? '';
    const r = resolveScriptPath(ctx.env, program);
    if (r.status !== 'ok') {
      say(ctx, s.span, `Disabling track script ${name} since not found/accessible`);
      continue;
    }
    if (sc.noteExecutable(r.path, s.user)) usable.add(name);
  }
  return usable;
}

export function checkNotifyScripts(drafts: readonly InstanceDraft[], ctx: ValidationContext, sc: ScriptContext): void {
  for (const d of drafts) {
    for (const n of Object.values(d.notify)) {
      const r = resolveScriptPath(ctx.env, n.argv[0] ?? '');
      const user = sc.defaultUser();
      if (r.status === 'ok' && user) sc.noteExecutable(r.path, user);
    }
  }
}

export function checkInstances(drafts: readonly InstanceDraft[], ctx: ValidationContext): void {
  for (const d of drafts) {
    if (d.vrid === undefined) say(ctx, d.span, `(${d.name}) the virtual router id must be set`);
    if (d.unicastKeyword && d.unicastPeers.length === 0 && !d.peerBlock) {
      say(ctx, d.span, `(${d.name}) A unicast keyword has been specified without any unicast peers. Defaulting to multicast. This usage is deprecated - please update your configuration.`);
    } else if (d.peerBlock && d.unicastPeers.length === 0) {
      say(ctx, d.span, `(${d.name}) A unicast keyword has been specified without any unicast peers. Defaulting to multicast. This usage is deprecated - please update your configuration.`);
    }
    if (d.vips.length === 0 && !d.noVip) say(ctx, d.span, `(${d.name}) No VIP specified; at least one is sensible`);
    for (const t of d.trackInterfaces) {
      if (t.name === d.interface) say(ctx, t.span, `(${d.name}) Ignoring track_interface ${t.name} since own interface`);
    }
  }
  const seen = new Map<string, InstanceDraft>();
  for (const d of drafts) {
    if (d.vrid === undefined || d.interface === undefined || d.unicastPeers.length > 0) continue;
    const fam = d.vips[0]?.family ?? 4;
    const key = `${d.interface}/${fam}/${d.vrid}`;
    const other = seen.get(key);
    if (other) say(ctx, d.span, `${other.name} and ${d.name} both use VRID ${d.vrid} with IPv${fam} on interface ${d.interface}`, ConfigErrorClass.Fatal);
    else seen.set(key, d);
  }
}
