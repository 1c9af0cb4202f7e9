/**
 * genhash's command line (keepalived 2.2.7 `genhash` / `keepalived --genhash`), as the real tool
 * answers it: -s -p -u are required, -s must be an IP literal, bad values and unknown options print
 * a message and the usage on stderr and exit 1, as does a command line of one argument or none.
 */
import { isIP } from 'node:net';
import type { HttpProtocol } from '../config/model/lvs.js';

export interface GenhashOptions {
  readonly server: string;
  readonly port: number;
  readonly url: string;
  readonly ssl: boolean;
  readonly sni: boolean;
  readonly virtualhost?: string;
  readonly protocol: HttpProtocol;
  readonly timeoutS: number;
  readonly fwmark?: number;
  readonly verbose: boolean;
}

export type GenhashParse = { readonly ok: true; readonly options: GenhashOptions } | { readonly ok: false; readonly message?: string };

/** genhash's default timeout, seconds. */
export const DEFAULT_TIMEOUT_S = 5;

const LONG: Readonly<Record<string, string>> = {
  '--use-ssl': 'S', '--use-sni': 'I', '--server': 's', '--port': 'p', '--url': 'u', '--use-virtualhost': 'V',
  '--verbose': 'v', '--help': 'h', '--fwmark': 'm', '--protocol': 'P', '--timeout': 't',
};
const WITH_VALUE = new Set(['s', 'p', 'u', 'V', 'm', 'P', 't']);

interface Draft {
  server?: string; port?: number; url?: string; ssl: boolean; sni: boolean; virtualhost?: string;
  protocol: HttpProtocol; timeoutS: number; fwmark?: number; verbose: boolean; help: boolean;
}

export function usageText(program: string): string {
  return `Usage: ${program} COMMAND [OPTIONS]
Commands:
   -s server-address -p port -u url
   -S -s server-address -p port -u url
   -h

Options:
Either long or short options are allowed.
   --use-ssl         -S       Use SSL connection to remote server.
   --use-sni         -I       Use SNI during SSL handshake (uses virtualhost setting; see -V).
   --server          -s       Use the specified remote server address.
   --port            -p       Use the specified remote server port.
   --url             -u       Use the specified remote server url.
   --use-virtualhost -V       Use the specified virtualhost in GET query.
   --verbose         -v       Use verbose mode output.
   --help            -h       Display this short inlined help screen.
   --fwmark          -m       Use the specified FW mark.
   --protocol        -P       Use the specified HTTP protocol - '1.0', 1.0c', '1.1'.
                                1.0c means 1.0 with 'Connection: close'
   --timeout         -t       Timeout in seconds
`;
}

function parseProtocol(v: string): HttpProtocol | undefined {
  const lower = v.toLowerCase();
  if (lower === '1.0') return '1.0';
  if (lower === '1.0c') return '1.0C';
  if (lower === '1.1') return '1.1';
  return undefined;
}

function strictInt(v: string): number | undefined {
  return /^\d+$/.test(v) ? Number(v) : undefined;
}

/** Applies one option; returns an error message when its value is bad. */
function apply(d: Draft, opt: string, value: string): string | undefined {
  switch (opt) {
    case 'S': d.ssl = true; return undefined;
    case 'I': d.sni = true; return undefined;
    case 'v': d.verbose = true; return undefined;
    case 'h': d.help = true; return undefined;
    case 's':
      if (isIP(value) === 0) return `server should be an IP, not ${value}`;
      d.server = value; return undefined;
    case 'p': {
      const port = strictInt(value);
      if (port === undefined || port < 1 || port > 65535) return `invalid port number '${value}'`;
      d.port = port; return undefined;
    }
    case 'u': d.url = value; return undefined;
    case 'V': d.virtualhost = value; return undefined;
    case 'm': {
      const mark = strictInt(value);
      if (mark === undefined) return `invalid fwmark '${value}'`;
      d.fwmark = mark; return undefined;
    }
    case 'P': {
      const p = parseProtocol(value);
      if (!p) return `invalid HTTP protocol version '${value}'`;
      d.protocol = p; return undefined;
    }
    default: {
      const t = strictInt(value);
      if (t === undefined) return `invalid timeout '${value}'`;
      d.timeoutS = t; return undefined;
    }
  }
}

/** Splits argv into [option letter, value] pairs, getopt style ("-s1.2.3.4", "--port=80"). */
function* tokens(argv: readonly string[]): Generator<{ opt?: string; value: string; raw: string }> {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] ?? '';
    let opt: string | undefined;
    let inline: string | undefined;
    if (a.startsWith('--')) {
      const [name = '', rest] = a.split(/=(.*)/s, 2);
      opt = LONG[name];
      inline = rest;
    } else if (a.startsWith('-') && a.length > 1) {
      opt = a[1];
      inline = a.length > 2 ? a.slice(2) : undefined;
    } else {
      yield { value: a, raw: a };
      continue;
    }
    if (opt === undefined || !(WITH_VALUE.has(opt) || 'SIvh'.includes(opt))) {
      yield { opt: '?', value: '', raw: a };
      continue;
    }
    if (WITH_VALUE.has(opt) && inline === undefined) inline = argv[++i] ?? '';
    yield { opt, value: inline ?? '', raw: a };
  }
}

export function parseGenhashArgs(argv: readonly string[]): GenhashParse {
  if (argv.length <= 1) return { ok: false };
  const d: Draft = { ssl: false, sni: false, protocol: '1.0', timeoutS: DEFAULT_TIMEOUT_S, verbose: false, help: false };
  const extra: string[] = [];
  const unknown: string[] = [];
  for (const t of tokens(argv)) {
    if (t.opt === undefined) extra.push(t.value);
    else if (t.opt === '?') unknown.push(`Unknown option ${t.raw}`);
    else {
      const err = apply(d, t.opt, t.value);
      if (err) return { ok: false, message: [...unknown, err].join('\n') };
    }
  }
  if (unknown.length > 0) return { ok: false, message: unknown.join('\n') };
  if (extra.length > 0) return { ok: false, message: `Unexpected argument(s): ${extra.join(' ')}` };
  if (d.help || d.server === undefined || d.port === undefined || d.url === undefined) return { ok: false };
  return {
    ok: true,
    options: {
      server: d.server, port: d.port, url: d.url, ssl: d.ssl, sni: d.sni, protocol: d.protocol, timeoutS: d.timeoutS, verbose: d.verbose,
      ...(d.virtualhost !== undefined ? { virtualhost: d.virtualhost } : {}),
      ...(d.fwmark !== undefined ? { fwmark: d.fwmark } : {}),
    },
  };
}
