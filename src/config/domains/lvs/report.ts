/**
 * A small reporting helper bound to the validation context: the LVS domain reports parse-time
 * messages at the keyword's line (checker pass, "(FILE: Line N)") and post-parse checks without a
 * location, as keepalived does.
 */
import type { ConfigNode } from '../../ast.js';
import { ConfigErrorClass, type Span } from '../../diagnostics.js';
import type { ValidationContext } from '../../domain.js';

export class LvsReporter {
  /** Family of the real server being read: checkers connect to it unless connect_ip says otherwise. */
  rsFamily: 'inet' | 'inet6' | undefined;

  constructor(readonly ctx: ValidationContext) {}

  /** A parse-time error at a node's line. */
  error(node: { readonly span: Span }, message: string, cls = ConfigErrorClass.GeneralError): void {
    this.ctx.report(cls, message, node.span);
  }

  warning(node: { readonly span: Span }, message: string): void {
    this.ctx.report(ConfigErrorClass.Warning, message, node.span);
  }

  /** A number-reader message ("invalid number 'x'"), as keepalived's number readers report it. */
  number(node: { readonly span: Span }, message: string): void {
    this.ctx.report(ConfigErrorClass.InvalidNumber, message, node.span);
  }

  /** A reporter function for the number readers, bound to a node. */
  numbers(node: { readonly span: Span }): (message: string) => void {
    return (m) => this.number(node, m);
  }

  /** A message printed after parsing, without a location. */
  post(span: Span, message: string, cls = ConfigErrorClass.GeneralError): void {
    this.ctx.report(cls, message, span, 'none');
  }

  /** A message keepalived prints at the closing '}' of a block. */
  atBlockEnd(node: ConfigNode, message: string, cls = ConfigErrorClass.GeneralError): void {
    this.ctx.report(cls, message, blockEndSpan(node));
  }
}

/**
 * The span of a block's closing '}' when the structure pass records it (optional `endSpan`),
 * else the block's own line.
 */
export function blockEndSpan(node: ConfigNode): Span {
  const end = (node as ConfigNode & { readonly endSpan?: Span }).endSpan;
  return end ?? node.span;
}
