/**
 * vrrp_sync_group: parsing (trackers resolved against what was defined before, as keepalived
 * resolves them while reading) and the checks after the VRRP pass: members that do not exist or
 * are already in a group, groups left with fewer than two members, and trackers whose weights a
 * sync group ignores. Wording probed with keepalived 2.2.7 -t.
 */
import type { ConfigNode } from '../../ast.js';
import { ConfigErrorClass } from '../../diagnostics.js';
import type { ValidationContext } from '../../domain.js';
import type { ScriptSpec, SyncGroup, TrackerRef } from '../../model/vrrp.js';
import { notifyScripts } from './scripts.js';
import { scriptAndUser } from '../../scripts.js';
import { parseBoolWord } from '../../syntax/numbers.js';
import { blockEnd } from './trackers.js';
import type { InstanceDraft } from './instance.js';
import { trackerList, type Known, type TrackerLine } from './trackers.js';

export interface SyncGroupDraft {
  readonly name: string;
  readonly span: ConfigNode['span'];
  readonly memberNames: readonly string[];
  readonly emptyGroupBlock: boolean;
  members: string[];
  trackInterfaces: TrackerLine[];
  trackScripts: TrackerLine[];
  trackFiles: TrackerLine[];
  trackProcesses: TrackerLine[];
  notify: Record<string, { argv: readonly string[]; span: ConfigNode['span']; userWords: readonly string[] }>;
  notifyResolved?: Record<string, ScriptSpec>;
  trackingWeight: boolean;
  notifyPriorityChanges: boolean;
  smtpAlert?: boolean;
}

export function parseSyncGroup(node: ConfigNode, ctx: ValidationContext, known: Known): SyncGroupDraft {
  const name = node.args[0] ?? '';
  const g: SyncGroupDraft = {
    name, span: node.span, memberNames: [], emptyGroupBlock: false, members: [], trackInterfaces: [], trackScripts: [],
    trackFiles: [], trackProcesses: [], notify: {}, trackingWeight: false, notifyPriorityChanges: false,
  };
  const names: string[] = [];
  for (const c of node.children ?? []) {
    switch (c.keyword) {
      case 'group': {
        const words = (c.lines ?? []).flatMap((l) => l.tokens);
        if (words.length === 0) {
          ctx.report(ConfigErrorClass.GeneralError, `Warning - sync group ${name} has empty group block`, blockEnd(c));
          (g as { emptyGroupBlock: boolean }).emptyGroupBlock = true;
        }
        names.push(...words);
        break;
      }
      case 'track_interface': g.trackInterfaces.push(...trackerList(c, name, 'interface', ctx, known, g.trackInterfaces)); break;
      case 'track_script': g.trackScripts.push(...trackerList(c, name, 'script', ctx, known, g.trackScripts)); break;
      case 'track_file': g.trackFiles.push(...trackerList(c, name, 'file', ctx, known, g.trackFiles)); break;
      case 'track_process': g.trackProcesses.push(...trackerList(c, name, 'process', ctx, known, g.trackProcesses)); break;
      case 'sync_group_tracking_weight': g.trackingWeight = true; break;
      case 'global_tracking':
        ctx.report(ConfigErrorClass.GeneralError, `(${name}) global_tracking is deprecated. Use track_interface/script/file on the sync group`, c.span);
        g.trackingWeight = true;
        break;
      case 'notify_priority_changes': {
        const v = c.args[0] === undefined ? true : parseBoolWord(c.args[0]);
        if (v === undefined) ctx.report(ConfigErrorClass.GeneralError, `(${name}) Invalid value '${c.args[0] ?? ''}' for sync group notify_priority_changes specified`, c.span);
        else g.notifyPriorityChanges = v;
        break;
      }
      case 'smtp_alert': {
        const v = c.args[0] === undefined ? true : parseBoolWord(c.args[0]);
        if (v === undefined) ctx.report(ConfigErrorClass.GeneralError, `Invalid vrrp_group smtp_alert parameter ${c.args[0] ?? ''}`, c.span);
        else g.smtpAlert = v;
        break;
      }
      default:
        if (c.keyword.startsWith('notify')) {
          const { command, userWords, error, log } = scriptAndUser(c.args, c.argsText, c.keyword);
          if (error !== undefined) ctx.report(ConfigErrorClass.GeneralError, error, c.span);
          if (log !== undefined) ctx.report(ConfigErrorClass.DaemonLog, log, c.span, 'inline');
          if (command) g.notify[c.keyword] = { argv: command.argv, span: c.span, userWords };
        }
    }
  }
  (g as { memberNames: readonly string[] }).memberNames = names;
  return g;
}

function late(ctx: ValidationContext, span: ConfigNode['span'], text: string): void {
  ctx.report(ConfigErrorClass.GeneralError, text, span, 'none');
}

/** Links members to instances; returns the groups that survive. Sets each member's group. */
export function linkSyncGroups(groups: readonly SyncGroupDraft[], instances: readonly InstanceDraft[], ctx: ValidationContext): SyncGroupDraft[] {
  const byName = new Map(instances.map((d) => [d.name, d]));
  const groupOf = new Map<string, string>();
  const kept: SyncGroupDraft[] = [];
  for (const g of groups) {
    for (const m of g.memberNames) {
      if (!byName.has(m)) late(ctx, g.span, `Virtual router ${m} specified in sync group ${g.name} doesn't exist - ignoring`);
      else if (groupOf.has(m)) late(ctx, g.span, `Virtual router ${m} cannot exist in more than one sync group; ignoring ${g.name}`);
      else { groupOf.set(m, g.name); g.members.push(m); }
    }
    if (g.members.length === 0) {
      late(ctx, g.span, g.memberNames.length === 0 ? `Sync group ${g.name} has no virtual router(s). removing` : `Sync group ${g.name}, no matching virtual router found in group declaration - removing`);
      continue;
    }
    if (g.members.length === 1) late(ctx, g.span, `Sync group ${g.name} has only 1 virtual router(s) - this probably isn't what you want`);
    kept.push(g);
  }
  return kept;
}

/** Trackers with weights on a member of a group without sync_group_tracking_weight are ignored. */
export function dropMemberWeights(d: InstanceDraft, g: SyncGroupDraft, ctx: ValidationContext): void {
  if (g.trackingWeight) return;
  const say = (text: string): void => late(ctx, d.span, `(${d.name}) ${text}`);
  d.trackInterfaces = d.trackInterfaces.map((t) => {
    if (t.weight === 0) return t;
    say(`ignoring ${t.name} tracked interface weight due to SYNC group`);
    return { ...t, weight: 0 };
  });
  d.trackScripts = d.trackScripts.map((t) => {
    if (t.weight === 0) return t;
    say(`ignoring tracked script ${t.name} with weights due to SYNC group`);
    return { ...t, weight: 0 };
  });
  d.trackFiles = d.trackFiles.map((t) => {
    if (t.weight === 0) return t;
    say(`ignoring weight from tracked file ${t.name} due to SYNC group. specify weight 0`);
    return { ...t, weight: 0 };
  });
}

/**
 * "track_interface X is configured on VRRP instance and sync group", for each interface the group
 * tracks and each member tracking it too (its own interface counts unless dont_track_primary).
 */
export function checkGroupTrackedInterfaces(g: SyncGroupDraft, instances: ReadonlyMap<string, InstanceDraft>, ctx: ValidationContext): void {
  for (const t of g.trackInterfaces) {
    for (const m of g.members) {
      const d = instances.get(m);
      if (!d) continue;
      const tracked = (t.name === d.interface && !d.dontTrackPrimary) || d.trackInterfaces.some((i) => i.name === t.name);
      if (tracked) late(ctx, d.span, `(${d.name}) track_interface ${t.name} is configured on VRRP instance and sync group. Remove vrrp instance or sync group config`);
    }
  }
}

function refs(list: readonly TrackerLine[]): TrackerRef[] {
  return list.map((t) => ({ name: t.name, weight: t.weight, reverse: t.reverse }));
}

export function toSyncGroup(g: SyncGroupDraft): SyncGroup {
  const s: { -readonly [K in keyof SyncGroup]: SyncGroup[K] } = {
    name: g.name, members: g.members, notify: notifyScripts(g.notifyResolved), trackScripts: refs(g.trackScripts), trackInterfaces: refs(g.trackInterfaces),
    trackFiles: refs(g.trackFiles), trackProcesses: refs(g.trackProcesses), trackingWeight: g.trackingWeight,
    notifyPriorityChanges: g.notifyPriorityChanges,
  };
  if (g.smtpAlert !== undefined) s.smtpAlert = g.smtpAlert;
  return s;
}
