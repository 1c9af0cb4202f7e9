/**
 * vrrp_script, track_file/vrrp_track_file and vrrp_track_process blocks, with keepalived
 * 2.2.7's messages. Script user resolution goes through ScriptContext (src/config/scripts.ts).
 */
import type { ConfigLine, ConfigNode } from '../../ast.js';
import { ConfigErrorClass, type Span } from '../../diagnostics.js';
import type { ValidationContext } from '../../domain.js';
import type { TrackerRef, TrackFile, TrackProcess, VrrpScript } from '../../model/vrrp.js';
import { formatScriptForLog, resolveUser, scriptCommand, unresolvedUserMessage, type ScriptCommand, type ScriptContext, type ScriptUser } from '../../scripts.js';
import { readInteger, readTimerUs, readUnsigned, readUnsignedRunning } from '../../syntax/numbers.js';
import { err, take } from '../global/read.js';

/** A vrrp_script as parsed, before the existence check (which only runs for scripts in use). */
export interface ParsedVrrpScript extends Omit<VrrpScript, 'script'> {
  readonly command: ScriptCommand;
  readonly user: ScriptUser;
  readonly span: ConfigNode['span'];
}

/** Line of a block's closing brace when the structure pass records it, else after its last child. */
export function blockEnd(node: ConfigNode): ConfigNode['span'] {
  const end = (node as { readonly endSpan?: ConfigNode['span'] }).endSpan;
  if (end) return end;
  const last = node.children?.[node.children.length - 1] ?? node;
  return { file: last.span.file, line: last.span.line + 1 };
}

/**
 * vrrp_script interval (keepalived 2.2.7, measured): read in [0, 4294] (-t: "number '4295' outside
 * range [0, 4294]"), 0 becomes 1 with a message. The running daemon is lenient with trailing junk:
 * `interval 2.7` runs every 2 s, `interval 0.02` every 1 s (0 -> 1), each with "WARNING - invalid
 * number"; under -t the same tokens are "ignoring" (the default 1 s).
 */
function readInterval(node: ConfigNode, ctx: ValidationContext, name: string): number | undefined {
  const a = node.args[0] ?? '';
  const v = take(ctx.running === true ? readUnsignedRunning(a, 0, 4294) : readUnsigned(a, 0, 4294), node, ctx);
  if (v === undefined) err(ctx, node, `(${name}): vrrp script interval '${a}' must be between 1 and 4294 - ignoring`);
  else if (v === 0) err(ctx, node, `(${name}): vrrp script interval must be greater than 0, setting to 1`);
  return v === 0 ? 1 : v;
}

export function parseVrrpScript(node: ConfigNode, ctx: ValidationContext, scripts: ScriptContext): ParsedVrrpScript | undefined {
  const name = node.args[0] ?? '';
  let command: ScriptCommand | undefined;
  let user: ScriptUser | undefined;
  let userGiven = false;
  let intervalS = 1;
  let timeoutS: number | undefined;
  let weight = 0;
  let weightReverse = false;
  let rise = 1;
  let fall = 1;
  let initFail = false;
  for (const c of node.children ?? []) {
    switch (c.keyword) {
      case 'script': {
        const value = scriptCommand(c.args, c.argsText, c.keyword);
        command = value.command;
        if (value.error !== undefined) err(ctx, c, value.error);
        if (value.log !== undefined) ctx.report(ConfigErrorClass.DaemonLog, value.log, c.span, 'inline');
        break;
      }
      case 'interval':
        intervalS = readInterval(c, ctx, name) ?? intervalS;
        break;
      case 'timeout': {
        const a = c.args[0] ?? '';
        const v = take(readUnsigned(a, 1, 4294), c, ctx);
        if (v === undefined) err(ctx, c, `(${name}): vrrp script timeout '${a}' invalid - ignoring`);
        else timeoutS = v;
        break;
      }
      case 'weight': {
        const a = c.args[0] ?? '';
        const v = take(readInteger(a, -253, 253), c, ctx);
        if (v === undefined) err(ctx, c, `vrrp_script ${name} weight ${a} must be in [-253, 253]`);
        else weight = v;
        if (c.args[1] === 'reverse') weightReverse = true;
        else if (c.args[1] !== undefined) err(ctx, c, `vrrp_script ${name} unknown weight option ${c.args[1]}`);
        break;
      }
      case 'rise': case 'fall': {
        const a = c.args[0] ?? '';
        const v = take(readUnsigned(a, 1, 2147483647), c, ctx);
        if (v === undefined) err(ctx, c, `(${name}): vrrp script ${c.keyword} value '${a}' invalid, defaulting to 1`);
        else if (c.keyword === 'rise') rise = v; else fall = v;
        break;
      }
      case 'user':
        userGiven = true;
        user = resolveUser(ctx.env, c.args);
        if (!user) ctx.report(ConfigErrorClass.DaemonLog, unresolvedUserMessage(ctx.env, c.args) ?? 'No script user', c.span, 'inline');
        if (!user) err(ctx, c, `Unable to set uid/gid for script ${command ? formatScriptForLog(command) : ''}`);
        break;
      case 'init_fail': initFail = true; break;
      default: break;
    }
  }
  const end = blockEnd(node);
  if (!command) {
    err(ctx, { ...node, span: end }, `No script set for vrrp_script ${name} - removing`);
    return undefined;
  }
  if (!userGiven) {
    user = scripts.defaultUser();
    if (!user) {
      err(ctx, { ...node, span: end }, `Unable to set default user for vrrp script ${name} - removing`);
      return undefined;
    }
  }
  if (!user) return undefined;
  const intervalUs = intervalS * 1_000_000;
  return {
    name, command, user, span: node.span, intervalUs, timeoutUs: (timeoutS ?? intervalS) * 1_000_000,
    weight, weightReverse, rise, fall, initFail,
  };
}

export function parseTrackFile(node: ConfigNode, ctx: ValidationContext): TrackFile | undefined {
  const name = node.args[0] ?? '';
  let path: string | undefined;
  let weight = 1;
  let weightReverse = false;
  let initFile: TrackFile['initFile'];
  for (const c of node.children ?? []) {
    if (c.keyword === 'file') {
      path = c.args[0];
      if (path === undefined) err(ctx, c, 'track file file name missing');
    } else if (c.keyword === 'weight') {
      const a = c.args[0];
      if (a === undefined) { err(ctx, c, `No weight specified for track file ${name} - ignoring`); continue; }
      const v = take(readInteger(a, -254, 254), c, ctx);
      if (v === undefined) err(ctx, c, `Weight (${a}) for track_file ${name} must be between [-254..254] inclusive. Ignoring...`);
      else { weight = v; weightReverse = c.args[1] === 'reverse'; }
    } else if (c.keyword === 'init_file') {
      let value = 0;
      let overwrite = false;
      for (const w of c.args) {
        if (w === 'overwrite') overwrite = true;
        else if (/^-?[0-9]+$/.test(w)) value = Number.parseInt(w, 10);
        else err(ctx, c, `Unknown track file init option ${w}`);
      }
      initFile = { value, overwrite };
    }
  }
  if (path === undefined) {
    err(ctx, { ...node, span: blockEnd(node) }, `No file set for track_file ${name} - ignoring`);
    return undefined;
  }
  const t: { -readonly [K in keyof TrackFile]: TrackFile[K] } = { name, path, weight, weightReverse };
  if (initFile) t.initFile = initFile;
  return t;
}

/** vrrp_track_process NAME { process P [ARGS]; param_match; weight; quorum; quorum_max; delay ... }. */
export function parseTrackProcess(node: ConfigNode, ctx: ValidationContext): TrackProcess | undefined {
  const name = node.args[0] ?? '';
  const p: { -readonly [K in keyof TrackProcess]: TrackProcess[K] } = {
    name, process: '', paramMatch: 'exact', weight: 0, weightReverse: false, quorum: 1, quorumMax: 65535,
    fullCommand: false, delayUs: 0, terminateDelayUs: 0, forkDelayUs: 0,
  };
  let quorumMaxGiven = false;
  for (const c of node.children ?? []) {
    const a = c.args[0] ?? '';
    switch (c.keyword) {
      case 'process':
        p.process = a;
        if (c.args.length > 1) p.params = c.args.slice(1);
        break;
      case 'param_match':
        if (a === 'initial' || a === 'partial') p.paramMatch = a;
        else if (a !== '') err(ctx, c, `Invalid param_match type ${a} - ignoring`);
        break;
      case 'weight': {
        if (c.args[0] === undefined) { err(ctx, c, `No weight specified for track process ${name} - ignoring`); break; }
        const v = take(readInteger(a, -254, 254), c, ctx);
        if (v === undefined) err(ctx, c, `Weight (${a}) for vrrp_track_process ${name} must be between [-254..254] inclusive. Ignoring...`);
        else { p.weight = v; p.weightReverse = c.args[1] === 'reverse'; }
        break;
      }
      case 'quorum': case 'quorum_max': {
        const v = take(readUnsigned(a, c.keyword === 'quorum' ? 1 : 0, 65535), c, ctx);
        const label = c.keyword === 'quorum' ? 'Quorum' : 'Quorum max';
        if (v === undefined) err(ctx, c, `${label} (${a}) for vrrp_track_process ${name} must be between [${c.keyword === 'quorum' ? 1 : 0}..65535] inclusive. Ignoring...`);
        else if (c.keyword === 'quorum') p.quorum = v;
        else { p.quorumMax = v; quorumMaxGiven = true; }
        break;
      }
      case 'delay': case 'terminate_delay': case 'fork_delay': {
        const v = take(readTimerUs(a, 1, 3_600_000_000), c, ctx);
        if (v === undefined) err(ctx, c, `${c.keyword} (${a}) for vrrp_track_process ${name} must be between [0.000001..3600] inclusive. Ignoring...`);
        else if (c.keyword === 'delay') p.delayUs = v;
        else if (c.keyword === 'terminate_delay') p.terminateDelayUs = v;
        else p.forkDelayUs = v;
        break;
      }
      case 'full_command': p.fullCommand = true; break;
      default: break;
    }
  }
  if (quorumMaxGiven && p.quorumMax < p.quorum) {
    err(ctx, { ...node, span: blockEnd(node) }, 'quorum_max is less than quorum - ignoring');
    p.quorumMax = 65535;
  }
  if (p.process === '') {
    err(ctx, { ...node, span: blockEnd(node) }, `track process '${name}' process name not specified`);
    return undefined;
  }
  return p;
}

/*
 * Tracker lists inside vrrp_instance and vrrp_sync_group (track_interface, track_script,
 * track_file, track_process, track_bfd): `NAME [weight W] [reverse|noreverse]` per line. Scripts,
 * files and processes must have been defined before the list (keepalived resolves them while
 * reading): "(OWNER) track script X not found, ignoring...". Without a weight a tracker takes the
 * weight of its definition.
 */
export type TrackerKind = 'interface' | 'script' | 'file' | 'process' | 'bfd';

export interface TrackerLine extends TrackerRef {
  readonly span: Span;
  readonly weightGiven: boolean;
}

/** Trackers defined so far, with their default weights. */
/** A tracker definition as a reference inherits it: its weight and its `reverse`. */
export interface KnownTracker {
  readonly weight: number;
  readonly reverse?: boolean;
}

export interface Known {
  readonly scripts: Map<string, KnownTracker>;
  readonly files: Map<string, KnownTracker>;
  readonly processes: Map<string, KnownTracker>;
}

function definitions(known: Known, kind: TrackerKind): Map<string, KnownTracker> | undefined {
  if (kind === 'script') return known.scripts;
  if (kind === 'file') return known.files;
  if (kind === 'process') return known.processes;
  return undefined;
}

const WEIGHT_MESSAGE: Readonly<Record<TrackerKind, (owner: string, name: string, weight: string) => string>> = {
  interface: (o, n, w) => `(${o}) weight ${w} for ${n} must be between [-253..253] inclusive. Ignoring...`,
  script: (o, n) => `(${o}) track script ${n}: weight must be between [-253..253] inclusive, ignoring...`,
  file: (o, n) => `(${o}) weight for track file ${n} must be in [-254..254] inclusive. Ignoring...`,
  process: (o, n) => `(${o}) weight for track process ${n} must be in [-254..254] inclusive. Ignoring...`,
  bfd: (o, n) => `(${o}) weight for track bfd ${n} must be in [-254..254] inclusive. Ignoring...`,
};

/** `weight W` of a tracker line: read in [-254, 254]; interfaces and scripts allow +-253 only. */
function trackerWeight(text: string, kind: TrackerKind, owner: string, name: string, line: ConfigLine, ctx: ValidationContext): number | undefined {
  const r = readInteger(text, -254, 254);
  const limit = kind === 'interface' || kind === 'script' ? 253 : 254;
  if (r.ok && Math.abs(r.value) <= limit) return r.value;
  if (!r.ok) for (const m of r.messages) ctx.report(ConfigErrorClass.InvalidNumber, m, line.span);
  ctx.report(ConfigErrorClass.GeneralError, WEIGHT_MESSAGE[kind](owner, name, text), line.span);
  return undefined;
}

export function trackerList(node: ConfigNode, owner: string, kind: TrackerKind, ctx: ValidationContext, known: Known, existing: readonly TrackerLine[] = []): TrackerLine[] {
  const defs = definitions(known, kind);
  const out: TrackerLine[] = [];
  for (const line of node.lines ?? []) {
    const [name, ...rest] = line.tokens;
    if (name === undefined) continue;
    const def = defs?.get(name);
    if (defs && !def) {
      ctx.report(ConfigErrorClass.GeneralError, `(${owner}) track ${kind} ${name} not found, ignoring...`, line.span);
      continue;
    }
    if ([...existing, ...out].some((t) => t.name === name)) {
      ctx.report(ConfigErrorClass.GeneralError, `(${owner}) duplicate track_${kind} ${name} - ignoring`, line.span);
      continue;
    }
    let weight = def?.weight ?? 0;
    let weightGiven = false;
    let reverse = def?.reverse ?? false;
    for (let i = 0; i < rest.length; i++) {
      const w = rest[i];
      if (w === 'weight' && rest[i + 1] !== undefined) {
        const v = trackerWeight(rest[i + 1] ?? '', kind, owner, name, line, ctx);
        if (v !== undefined) { weight = v; weightGiven = true; }
        i++;
      } else if (w === 'reverse') reverse = true;
      else if (w === 'noreverse') reverse = false;
    }
    out.push({ name, weight, reverse, span: line.span, weightGiven });
  }
  return out;
}
