/**
 * The LVS domain (checker pass): virtual_server, virtual_server_group, real_server, the health
 * checkers and the SSL block, validated as keepalived 2.2.7 does, into the `lvs` model.
 *
 * The checker pass also reads track_file and bfd_instance blocks, because FILE_CHECK and
 * BFD_CHECK refer to them by name; their own models belong to the VRRP and BFD domains.
 */
import type { ConfigNode } from '../../ast.js';
import type { ConfigDomain, ValidationContext } from '../../domain.js';
import type { LvsModel, SslContext, VirtualServer, VirtualServerGroup } from '../../model/lvs.js';
import { finishVirtualServer, type VirtualServerDraft } from './draft.js';
import { isTunnel } from './forwarding.js';
import { LVS_TOP_LEVEL } from './keywords.js';
import { checkVirtualServer } from './post-checks.js';
import { LvsReporter, missingParameter } from './report.js';
import { LvsScripts } from './scripts.js';
import { parseVirtualServer, type VsParseState } from './virtual-server.js';
import { parseVsGroup } from './vs-group.js';

/* The top-level SSL block (client TLS context for SSL_GET): password, ca, certificate, key. */
const FIELDS: Readonly<Record<string, { readonly field: keyof SslContext; readonly label: string }>> = {
  password: { field: 'password', label: 'password' },
  ca: { field: 'caFile', label: 'cafile' },
  certificate: { field: 'certFile', label: 'certfile' },
  key: { field: 'keyFile', label: 'keyfile' },
};

export function parseSsl(node: ConfigNode, previous: SslContext | undefined, r: LvsReporter): SslContext {
  if (previous) r.error(node, 'SSL context already specified - replacing');
  const ssl: { -readonly [K in keyof SslContext]: SslContext[K] } = {};
  for (const c of node.children ?? []) {
    const f = FIELDS[c.keyword];
    if (!f) continue;
    const v = c.args[0];
    if (v === undefined) {
      r.error(c, `SSL ${f.label} missing`);
      continue;
    }
    if (ssl[f.field] !== undefined) r.error(c, `SSL ${f.label} already specified - replacing`);
    ssl[f.field] = v;
  }
  return ssl;
}

interface PassState extends VsParseState {
  readonly bfdNames: Set<string>;
  readonly trackFiles: Set<string>;
  readonly groups: Map<string, VirtualServerGroup>;
  readonly drafts: VirtualServerDraft[];
  ssl?: SslContext;
}

function readTrackFile(node: ConfigNode, st: PassState): void {
  const name = node.args[0] ?? '';
  const hasFile = (node.children ?? []).some((c) => c.keyword === 'file' && c.args[0] !== undefined);
  if (hasFile) st.trackFiles.add(name);
  else st.r.atBlockEnd(node, `No file set for track_file ${name} - ignoring`);
}

/** The checker pass only needs bfd_instance names (for BFD_CHECK); duplicates are reported. */
function readBfdName(node: ConfigNode, st: PassState): void {
  const name = node.args[0];
  if (name === undefined) return;
  if (st.bfdNames.has(name)) st.r.error(node, `BFD ${name} already specified`);
  else st.bfdNames.add(name);
}

function readTopLevel(node: ConfigNode, st: PassState): void {
  // Verified with keepalived: a bare virtual_server, virtual_server_group or track_file aborts
  // (exit 2) in this pass. (A bare bfd_instance crashes keepalived 2.2.7; not emulated.)
  if (node.keyword !== 'bfd_instance' && missingParameter(node, st.r, '')) return;
  switch (node.keyword) {
    case 'virtual_server': {
      const vs = parseVirtualServer(node, st);
      if (vs) st.drafts.push(vs);
      return;
    }
    case 'virtual_server_group': {
      const g = parseVsGroup(node, st.r);
      if (g) st.groups.set(g.name, g);
      return;
    }
    case 'SSL':
      st.ssl = parseSsl(node, st.ssl, st.r);
      return;
    case 'track_file':
    case 'vrrp_track_file':
      readTrackFile(node, st);
      return;
    case 'bfd_instance':
      readBfdName(node, st);
      return;
    default:
      return;
  }
}

function postParse(st: PassState): VirtualServer[] {
  const out: VirtualServer[] = [];
  for (const vs of st.drafts) {
    const g = vs.parts.kind === 'group' ? st.groups.get(vs.parts.group ?? '') : undefined;
    // keepalived drops a service naming an unknown group with a log message only (not in -t).
    if (vs.parts.kind === 'group' && !g) continue;
    // A group whose addresses are of another family than the service's: dropped with a log message only.
    // (Tunnels may cross families.)
    const family = vs.family ?? vs.realServers[0]?.family;
    const tunnel = isTunnel(vs.forwarding);
    if (g && family && !tunnel && g.entries.some((e) => e.family !== undefined && e.family !== family)) continue;
    if (checkVirtualServer(vs, st.r, g)) out.push(finishVirtualServer(vs));
  }
  return out;
}

export function validateLvs(nodes: readonly ConfigNode[], ctx: ValidationContext): LvsModel {
  const r = new LvsReporter(ctx);
  const st: PassState = {
    r,
    scripts: new LvsScripts(ctx),
    groupUses: new Map(),
    bfdNames: new Set(),
    trackFiles: new Set(),
    groups: new Map(),
    drafts: [],
  };
  for (const node of nodes) readTopLevel(node, st);
  const virtualServers = postParse(st);
  const last = nodes[nodes.length - 1];
  if (last) st.scripts.finish(last.span);
  return st.ssl ? { virtualServers, groups: st.groups, ssl: st.ssl } : { virtualServers, groups: st.groups };
}

export const lvsDomain: ConfigDomain<'lvs'> = {
  name: 'lvs',
  pass: 'checker',
  keywords: LVS_TOP_LEVEL,
  validate: validateLvs,
};
