/**
 * Dispatch of the checker blocks inside real_server, plus FILE_CHECK and BFD_CHECK (which have no
 * connection settings).
 */
import type { ConfigNode } from '../../../ast.js';
import type { CheckerDraft, RealServerDraft, VirtualServerDraft } from '../draft.js';
import { parseSigned } from '../../../syntax/numbers.js';
import { formatEndpoint, missingParameter, type LvsReporter } from '../report.js';
import { readOptionalFlag } from '../timing.js';
import type { VsParseState } from '../virtual-server.js';
import { parseHttpChecker } from './http.js';
import { parseMiscChecker } from './misc.js';
import { parseDnsChecker, parseSimpleChecker, parseSmtpChecker, parseUdpChecker } from './others.js';

export const CHECKER_KEYWORDS = [
  'TCP_CHECK',
  'HTTP_GET',
  'SSL_GET',
  'MISC_CHECK',
  'SMTP_CHECK',
  'DNS_CHECK',
  'UDP_CHECK',
  'PING_CHECK',
  'FILE_CHECK',
  'BFD_CHECK',
] as const;

/**
 * null when `c` is not a checker keyword; undefined when the checker is dropped.
 */
export function parseChecker(c: ConfigNode, rs: RealServerDraft, vs: VirtualServerDraft, st: VsParseState): CheckerDraft | undefined | null {
  const r = st.r;
  switch (c.keyword) {
    case 'TCP_CHECK':
    case 'PING_CHECK':
      return parseSimpleChecker(c, r);
    case 'HTTP_GET':
    case 'SSL_GET':
      return parseHttpChecker(c, r);
    case 'MISC_CHECK':
      return parseMiscChecker(c, r, st.scripts);
    case 'SMTP_CHECK':
      return parseSmtpChecker(c, r);
    case 'DNS_CHECK':
      return parseDnsChecker(c, r);
    case 'UDP_CHECK':
      return parseUdpChecker(c, r);
    case 'FILE_CHECK':
      return parseFileChecker(c, r, st.trackFiles);
    case 'BFD_CHECK':
      return parseBfdChecker(c, rs, vs, st);
    default:
      return null;
  }
}

const TRACK_FILE_WEIGHT_MAX = 2147483647;

function parseFileChecker(node: ConfigNode, r: LvsReporter, trackFiles: ReadonlySet<string>): CheckerDraft | undefined {
  let trackFile: string | undefined;
  let weight = 1;
  let reverse = false;
  for (const c of node.children ?? []) {
    if (missingParameter(c, r, 'FILE_CHECK')) return undefined;
    if (c.keyword === 'track_file') {
      const name = c.args[0] ?? '';
      if (trackFiles.has(name)) trackFile = name;
      else r.error(c, `track_file ${name} not found`);
    } else if (c.keyword === 'weight') {
      const w = readFileWeight(c, r);
      if (w) ({ weight, reverse } = w);
    }
  }
  if (trackFile === undefined) {
    r.atBlockEnd(node, 'FILE_CHECK has no track_file specified - ignoring');
    return undefined;
  }
  const name = trackFile;
  return {
    type: 'FILE_CHECK',
    span: node.span,
    timing: {},
    logAllFailures: false,
    connection: {},
    finish: () => ({ type: 'FILE_CHECK', span: node.span, trackFile: name, dynamic: false, weight, reverse }),
  };
}

function readFileWeight(c: ConfigNode, r: LvsReporter): { weight: number; reverse: boolean } | undefined {
  const tok = c.args[0];
  if (tok === undefined) {
    r.error(c, 'track file weight missing');
    return undefined;
  }
  const weight = parseSigned(tok, -TRACK_FILE_WEIGHT_MAX, TRACK_FILE_WEIGHT_MAX, r.numbers(c));
  if (weight === undefined) {
    r.error(c, `weight for track file must be in [${-TRACK_FILE_WEIGHT_MAX}..${TRACK_FILE_WEIGHT_MAX}] inclusive. Ignoring...`);
    return undefined;
  }
  const opt = c.args[1];
  if (opt === undefined || opt === 'noreverse') return { weight, reverse: false };
  if (opt === 'reverse') return { weight, reverse: true };
  r.error(c, `unknown track file weight option ${opt} - ignoring`);
  return { weight, reverse: false };
}

function parseBfdChecker(node: ConfigNode, rs: RealServerDraft, vs: VirtualServerDraft, st: VsParseState): CheckerDraft | undefined {
  const r = st.r;
  const rsName = formatEndpoint(rs.address, vs.parts.kind === 'fwmark' ? 'none' : vs.protocol ?? 'none', rs.port);
  let bfdName: string | undefined;
  for (const c of node.children ?? []) {
    if (c.keyword === 'alpha') readOptionalFlag(c, r, (p) => `Invalid alpha parameter ${p}`);
    if (c.keyword !== 'name') continue;
    if (c.args.length !== 1) {
      r.error(c, `(${rsName}) BFD_CHECK - No or too many names specified - skipping checker`);
      return undefined;
    }
    const name = c.args[0] ?? '';
    if (!st.bfdNames.has(name)) {
      r.error(c, `(${rsName}) BFD_CHECK - BFD ${name} not configured`);
      return undefined;
    }
    bfdName = name;
  }
  if (bfdName === undefined) {
    r.atBlockEnd(node, `(${rsName}) No name has been specified for BFD_CHECKER - skipping`);
    return undefined;
  }
  const name = bfdName;
  return {
    type: 'BFD_CHECK',
    span: node.span,
    timing: {},
    logAllFailures: false,
    connection: {},
    finish: () => ({ type: 'BFD_CHECK', span: node.span, bfdName: name }),
  };
}
