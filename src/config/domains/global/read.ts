/**
 * Small helpers shared by the global and VRRP domains: report a number reader's messages at a
 * node, then return the value or undefined.
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

export function err(ctx: ValidationContext, node: ConfigNode, message: string): void {
  ctx.report(ConfigErrorClass.GeneralError, message, node.span);
}

export function warn(ctx: ValidationContext, node: ConfigNode, message: string): void {
  ctx.report(ConfigErrorClass.Warning, message, node.span);
}
