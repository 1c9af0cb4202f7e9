/**
 * Small helpers shared by the global and VRRP domains: report a number reader's messages at a
 * node, then return the value or undefined; and the umask reader of global_defs.
 */
import type { ConfigNode } from '../../ast.js';
import { ConfigErrorClass } from '../../diagnostics.js';
import type { ValidationContext } from '../../domain.js';
import type { NumberRead } from '../../syntax/numbers.js';

/** Reports the reader's lines (as keepalived's read_* functions do) and returns the value, if valid. */
export function take<T>(r: NumberRead<T>, node: ConfigNode, ctx: ValidationContext): T | undefined {
  if (r.ok) {
    for (const m of r.notes ?? []) ctx.report(ConfigErrorClass.InvalidNumber, m, node.span);
    return r.value;
  }
  for (const m of r.messages) ctx.report(ConfigErrorClass.InvalidNumber, m, node.span);
  return undefined;
}

/** keepalived aborts (exit 2) at a keyword that needs a parameter and has none. */
export const MISSING_PARAMETER_PREFIX = '*** Configuration line starting';

/** Reports keepalived's missing-parameter line (which stops it) when `node` has no parameter. */
export function missingParameter(node: ConfigNode, needs: ReadonlySet<string>, ctx: ValidationContext): boolean {
  if (node.args.length > 0 || !needs.has(node.keyword)) return false;
  ctx.report(ConfigErrorClass.MissingParameter, `${MISSING_PARAMETER_PREFIX} \`${node.keyword}\` is missing a parameter after keyword \`${node.keyword}\` at word position 2`, node.span);
  return true;
}

export function err(ctx: ValidationContext, node: ConfigNode, message: string): void {
  ctx.report(ConfigErrorClass.GeneralError, message, node.span);
}

export function warn(ctx: ValidationContext, node: ConfigNode, message: string): void {
  ctx.report(ConfigErrorClass.Warning, message, node.span);
}

/*
 * global_defs `umask`: a number (strtoul base 0: 022, 0x12, 18) no larger than 0777, or a
 * symbolic list of mode bits joined by '|' ("IWGRP | IWOTH", "IWOTH|IXOTH"), with keepalived
 * 2.2.7's messages (probed with keepalived -t).
 */
const BITS: Readonly<Record<string, number>> = {
  IRUSR: 0o400, IWUSR: 0o200, IXUSR: 0o100,
  IRGRP: 0o040, IWGRP: 0o020, IXGRP: 0o010,
  IROTH: 0o004, IWOTH: 0o002, IXOTH: 0o001,
};

export type UmaskRead = { readonly ok: true; readonly mask: number } | { readonly ok: false; readonly message: string };

/** strtoul(base 0) of the whole token: 0x.. hex, 0.. octal, else decimal. */
function numeric(token: string): number | undefined {
  if (/^0[xX][0-9a-fA-F]+$/.test(token)) return Number.parseInt(token.slice(2), 16);
  if (/^0[0-7]*$/.test(token)) return Number.parseInt(token, 8);
  if (/^[1-9][0-9]*$/.test(token)) return Number.parseInt(token, 10);
  return undefined;
}

function readSymbolic(tokens: readonly string[]): UmaskRead {
  let mask = 0;
  let needBit = true;
  const takeBits = (text: string): UmaskRead | undefined => {
    const parts = text.split('|');
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i] ?? '';
      const last = i === parts.length - 1;
      if (p === '' && last && i > 0) { needBit = true; return undefined; }
      const bit = BITS[p];
      if (bit === undefined) return { ok: false, message: `Unknown umask bit ${p === '' ? text : p}` };
      mask |= bit;
    }
    needBit = false;
    return undefined;
  };
  for (const t of tokens) {
    if (needBit) {
      const r = takeBits(t);
      if (r) return r;
    } else if (t === '|') needBit = true;
    else if (t.startsWith('|')) {
      const r = takeBits(t.slice(1));
      if (r) return r;
    } else return { ok: false, message: `Invalid umask syntax ${t}` };
  }
  if (needBit) return { ok: false, message: 'umask missing bit value' };
  return { ok: true, mask };
}

export function readUmask(tokens: readonly string[]): UmaskRead {
  const first = tokens[0] ?? '';
  if (/^[0-9]/.test(first)) {
    const v = numeric(first);
    if (v === undefined || v > 0o777) return { ok: false, message: `invalid umask value ${first}` };
    return { ok: true, mask: v };
  }
  return readSymbolic(tokens);
}
