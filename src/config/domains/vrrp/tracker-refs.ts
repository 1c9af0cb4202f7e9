/**
 * Tracker lists inside vrrp_instance and vrrp_sync_group (track_interface, track_script,
 * track_file, track_process): `NAME [weight W] [reverse|noreverse]` per line. Scripts, files and
 * processes must have been defined before the list (keepalived resolves them while reading):
 * "(OWNER) track script X not found, ignoring...". Without a weight a tracker takes the weight of
 * its definition.
 */
import type { ConfigNode } from '../../ast.js';
import { ConfigErrorClass, type Span } from '../../diagnostics.js';
import type { ValidationContext } from '../../domain.js';
import type { TrackerRef } from '../../model/vrrp.js';

export type TrackerKind = 'interface' | 'script' | 'file' | 'process' | 'bfd';

export interface TrackerLine extends TrackerRef {
  readonly span: Span;
  readonly weightGiven: boolean;
}

/** Trackers defined so far, with their default weights. */
export interface Known {
  readonly scripts: Map<string, { readonly weight: number }>;
  readonly files: Map<string, { readonly weight: number }>;
  readonly processes: Map<string, { readonly weight: number }>;
}

function definitions(known: Known, kind: TrackerKind): Map<string, { readonly weight: number }> | undefined {
  if (kind === 'script') return known.scripts;
  if (kind === 'file') return known.files;
  if (kind === 'process') return known.processes;
  return undefined;
}

export function trackerList(node: ConfigNode, owner: string, kind: TrackerKind, ctx: ValidationContext, known: Known): TrackerLine[] {
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
    let weight = def?.weight ?? 0;
    let weightGiven = false;
    let reverse = false;
    for (let i = 0; i < rest.length; i++) {
      const w = rest[i];
      if (w === 'weight' && rest[i + 1] !== undefined) {
        weight = Number.parseInt(rest[i + 1] ?? '0', 10) || 0;
        weightGiven = true;
        i++;
      } else if (w === 'reverse') reverse = true;
      else if (w === 'noreverse') reverse = false;
    }
    out.push({ name, weight, reverse, span: line.span, weightGiven });
  }
  return out;
}
