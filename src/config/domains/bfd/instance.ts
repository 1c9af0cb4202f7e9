/**
 * One bfd_instance block, read in the BFD pass with keepalived 2.2.7's messages.
 */
import type { ConfigNode } from '../../ast.js';
import { ConfigErrorClass } from '../../diagnostics.js';
import type { ValidationContext } from '../../domain.js';
import type { BfdInstance } from '../../model/bfd.js';
import { parseSigned, parseUnsigned, readDecimalScaled, type NumberRead } from '../../syntax/numbers.js';
import { parseIp } from '../../syntax/ip.js';
import { blockEndSpan, LvsReporter, missingParameter } from '../lvs/report.js';

type Draft = { -readonly [K in keyof BfdInstance]: BfdInstance[K] } & { neighborSet: boolean };

const DEFAULTS = { minRxUs: 10_000, minTxUs: 10_000, idleTxUs: 1_000_000, multiplier: 5, ttl: 255, maxHops: 0 };

export class BfdInstanceReader {
  constructor(private readonly ctx: ValidationContext) {}

  private err(node: ConfigNode, message: string, cls = ConfigErrorClass.GeneralError): void {
    this.ctx.report(cls, message, node.span);
  }

  /** keepalived's unsigned reader (with "outside unsigned integer range"). */
  private unsigned(node: ConfigNode, min: number, max: number, message: string): number | undefined {
    const v = parseUnsigned(node.args[0] ?? '', min, max, (m) => this.err(node, m, ConfigErrorClass.InvalidNumber));
    if (v === undefined) this.err(node, message);
    return v;
  }

  /** Milliseconds with up to 3 decimals, in microseconds. */
  private millis(node: ConfigNode, minMs: number, message: string): number | undefined {
    const tok = node.args[0] ?? '';
    const dot = tok.indexOf('.');
    if (dot >= 0 && tok.length - dot - 1 > 3) this.err(node, `number '${tok}' has too many decimal places`, ConfigErrorClass.InvalidNumber);
    return this.number(node, readDecimalScaled(tok, 3, minMs * 1000, 4294967000), message);
  }

  private number<T>(node: ConfigNode, read: NumberRead<T>, message: string): T | undefined {
    if (read.ok) return read.value;
    for (const m of read.messages) this.err(node, m, ConfigErrorClass.InvalidNumber);
    this.err(node, message);
    return undefined;
  }

  /** Undefined when the instance is ignored or disabled. */
  read(node: ConfigNode, existing: ReadonlySet<string>, neighbors: BfdInstance[]): BfdInstance | undefined {
    const name = node.args[0] ?? '';
    if (existing.has(name)) {
      this.err(node, `Configuration error: BFD instance ${name} already configured - ignoring`);
      return undefined;
    }
    const d: Draft = { name, neighbor: '', family: 'inet', passive: false, neighborSet: false, span: node.span, ...DEFAULTS };
    for (const c of node.children ?? []) {
      if (!this.apply(c, d)) return undefined;
    }
    return this.finish(node, d, neighbors);
  }

  /** False when the instance must be ignored. */
  private apply(c: ConfigNode, d: Draft): boolean {
    if (missingParameter(c, new LvsReporter(this.ctx), 'bfd_instance')) return false;
    const a0 = c.args[0] ?? '';
    const pre = `Configuration error: BFD instance ${d.name}`;
    switch (c.keyword) {
      case 'neighbor_ip':
      case 'neighbour_ip': {
        const ip = parseIp(a0);
        if (!ip) {
          this.err(c, `${pre} has malformed neighbor address ${a0}, ignoring instance`);
          return false;
        }
        d.neighbor = ip.text;
        d.family = ip.family === 4 ? 'inet' : 'inet6';
        d.neighborSet = true;
        return true;
      }
      case 'source_ip': {
        const ip = parseIp(a0);
        if (!ip) this.err(c, `${pre} has malformed source address ${a0}, ignoring`);
        else d.source = ip.text;
        return true;
      }
      case 'min_rx':
      case 'min_tx':
      case 'idle_tx': {
        const minMs = c.keyword === 'idle_tx' ? 1000 : 1;
        const v = this.millis(c, minMs, `${pre} ${c.keyword} value ${a0} is not valid (must be in range [${minMs}-4294967]), ignoring`);
        if (v !== undefined) d[c.keyword === 'min_rx' ? 'minRxUs' : c.keyword === 'min_tx' ? 'minTxUs' : 'idleTxUs'] = v;
        return true;
      }
      case 'multiplier': {
        const v = this.unsigned(c, 1, 255, `${pre} multiplier value ${a0} not valid (must be in range [1-255]), ignoring`);
        if (v !== undefined) d.multiplier = v;
        return true;
      }
      case 'ttl':
      case 'hoplimit': {
        const v = this.unsigned(c, 1, 255, `${pre} ttl/hoplimit value ${a0} not valid (must be in range [1-255]), ignoring`);
        if (v !== undefined) d.ttl = v;
        return true;
      }
      case 'max_hops': {
        const v = parseSigned(a0, -1, 255, (m) => this.err(c, m, ConfigErrorClass.InvalidNumber));
        if (v === undefined) this.err(c, `${pre} max_hops value ${a0} not valid (must be in range [-1-255]), ignoring`);
        if (v !== undefined) d.maxHops = v;
        return true;
      }
      case 'passive':
        d.passive = true;
        return true;
      default:
        return true;
    }
  }

  private finish(node: ConfigNode, d: Draft, neighbors: BfdInstance[]): BfdInstance | undefined {
    const end = blockEndSpan(node);
    const pre = `Configuration error: BFD instance ${d.name}`;
    const report = (m: string): void => this.ctx.report(ConfigErrorClass.GeneralError, m, end);
    if (!d.neighborSet) {
      report(`${pre} has no neighbor address set, disabling instance`);
      return undefined;
    }
    if (d.source !== undefined && parseIp(d.source)?.family !== (d.family === 'inet' ? 4 : 6)) {
      report(`${pre} source address ${d.source} and neighbor address ${d.source} are not of the same family, disabling instance`);
      return undefined;
    }
    const dup = neighbors.find((b) => b.neighbor === d.neighbor && b.source === d.source);
    if (dup) {
      report(d.source !== undefined
        ? `${pre} has duplicate source/neighbor address ${d.source}/${d.neighbor}, ignoring instance`
        : `${pre} has duplicate neighbor address ${d.neighbor}, ignoring instance`);
      return undefined;
    }
    if (d.maxHops > d.ttl) {
      report(`BFD instance ${d.name}: max_hops exceeds ttl/hoplimit - setting to ttl/hoplimit`);
      d.maxHops = d.ttl;
    }
    const { neighborSet: _unused, ...inst } = d;
    return inst;
  }
}
