/**
 * The IPVS data plane: diffs the desired pool against what it installed and drives an IpvsPort
 * (services and destinations: add / edit / delete). IPVS has no transactions, so each step
 * records its inverse; when a step fails the steps already done are undone in reverse order and
 * the previous state stays in force (the result says whether the rollback was complete).
 * `start()` sets lvs_timeouts and, with lvs_flush, flushes; `removeAll()` deletes our services
 * (or flushes everything with lvs_flush_on_stop ALL).
 */
import {
  failResult, okResult, poolSize, type ApplyResult, type DataPlane, type DataPlaneDescription,
} from '../data-plane.js';
import type { DesiredPool } from '../pool-types.js';
import {
  ipvsEntries, serviceKeyText, type IpvsEntry, type IpvsPort, type IpvsPortDest, type IpvsPortService,
} from './ipvs-port.js';

export interface IpvsPlaneOptions {
  /** lvs_timeouts (seconds, 0 = leave as is). */
  readonly timeouts?: { readonly tcpSec: number; readonly tcpFinSec: number; readonly udpSec: number };
  /** lvs_flush: flush every IPVS service at start. */
  readonly flushOnStart?: boolean;
  /** lvs_flush_on_stop: 'ALL' flushes, 'VS' (or unset) deletes only our services. */
  readonly flushOnStop?: 'ALL' | 'VS';
  readonly nowMs?: () => number;
}

interface Step {
  readonly label: string;
  run(): Promise<void>;
  undo(): Promise<void>;
}

const destKey = (d: IpvsPortDest): string => `${d.address}:${d.port}`;

function sameService(a: IpvsPortService, b: IpvsPortService): boolean {
  return a.scheduler === b.scheduler && a.flags === b.flags && a.timeoutSec === b.timeoutSec && a.netmaskPrefixLength === b.netmaskPrefixLength;
}

function sameDest(a: IpvsPortDest, b: IpvsPortDest): boolean {
  return a.weight === b.weight && a.forwarding === b.forwarding && a.upperThreshold === b.upperThreshold && a.lowerThreshold === b.lowerThreshold;
}

export class IpvsDataPlane implements DataPlane {
  readonly kind = 'ipvs' as const;
  private installed = new Map<string, IpvsEntry>();
  private current: DesiredPool = { services: [] };
  private lastError: string | undefined;
  private readonly nowMs: () => number;

  constructor(private readonly port: IpvsPort, private readonly options: IpvsPlaneOptions = {}) {
    this.nowMs = options.nowMs ?? (() => performance.now());
  }

  async start(): Promise<ApplyResult> {
    const t0 = this.nowMs();
    try {
      if (this.options.flushOnStart === true) await this.port.flush();
      if (this.options.timeouts !== undefined) await this.port.setTimeouts(this.options.timeouts);
      return okResult(0, [], t0, this.nowMs());
    } catch (e) {
      return this.fail('IPVS_START_FAILED', `IPVS start failed: ${(e as Error).message}`, [], t0);
    }
  }

  async apply(desired: DesiredPool): Promise<ApplyResult> {
    const t0 = this.nowMs();
    const { entries, warnings } = ipvsEntries(desired);
    const next = new Map(entries.map((e) => [serviceKeyText(e.service), e]));
    const steps = this.plan(next);
    const done: Step[] = [];
    for (const step of steps) {
      try {
        await step.run();
        done.push(step);
      } catch (e) {
        const rolledBack = await this.rollback(done);
        const why = `${step.label}: ${(e as Error).message}; ${rolledBack ? 'rolled back, previous state kept' : 'ROLLBACK INCOMPLETE'}`;
        return this.fail('IPVS_APPLY_FAILED', why, warnings, t0);
      }
    }
    this.installed = next;
    this.current = desired;
    this.lastError = undefined;
    return okResult(steps.length, warnings, t0, this.nowMs());
  }

  async removeAll(): Promise<ApplyResult> {
    const t0 = this.nowMs();
    try {
      if (this.options.flushOnStop === 'ALL') await this.port.flush();
      else for (const e of this.installed.values()) await this.port.deleteService(e.service);
    } catch (e) {
      return this.fail('IPVS_REMOVE_FAILED', `IPVS cleanup failed: ${(e as Error).message}`, [], t0);
    }
    const n = this.installed.size;
    this.installed = new Map();
    this.current = { services: [] };
    return okResult(n, [], t0, this.nowMs());
  }

  describe(): DataPlaneDescription {
    return {
      kind: 'ipvs',
      summary: `ipvs (generic netlink, ${this.installed.size} kernel services)`,
      ...poolSize(this.current),
      ...(this.lastError !== undefined ? { lastError: this.lastError } : {}),
    };
  }

  private fail(code: string, error: string, warnings: readonly string[], t0: number): ApplyResult {
    this.lastError = error;
    return failResult(code, error, warnings, t0, this.nowMs());
  }

  private async rollback(done: readonly Step[]): Promise<boolean> {
    let complete = true;
    for (const step of [...done].reverse()) {
      try {
        await step.undo();
      } catch {
        complete = false;
      }
    }
    return complete;
  }

  /** The steps from the installed state to `next`: adds first, then edits, then deletions. */
  private plan(next: ReadonlyMap<string, IpvsEntry>): Step[] {
    const steps: Step[] = [];
    for (const [key, entry] of next) {
      const old = this.installed.get(key);
      if (old === undefined) steps.push(...this.addEntry(entry));
      else steps.push(...this.editEntry(old, entry));
    }
    for (const [key, old] of this.installed) if (!next.has(key)) steps.push(this.deleteEntry(old));
    return steps;
  }

  private addEntry(e: IpvsEntry): Step[] {
    const p = this.port;
    const svc = e.service;
    const label = serviceKeyText(svc);
    return [
      { label: `add service ${label}`, run: () => p.addService(svc), undo: () => p.deleteService(svc) },
      ...e.dests.map((d) => ({ label: `add dest ${destKey(d)} to ${label}`, run: () => p.addDest(svc, d), undo: () => p.deleteDest(svc, d) })),
    ];
  }

  private editEntry(old: IpvsEntry, e: IpvsEntry): Step[] {
    const p = this.port;
    const svc = e.service;
    const label = serviceKeyText(svc);
    const steps: Step[] = [];
    if (!sameService(old.service, svc)) {
      steps.push({ label: `edit service ${label}`, run: () => p.editService(svc), undo: () => p.editService(old.service) });
    }
    const before = new Map(old.dests.map((d) => [destKey(d), d]));
    const after = new Map(e.dests.map((d) => [destKey(d), d]));
    for (const [k, d] of after) {
      const was = before.get(k);
      if (was === undefined) steps.push({ label: `add dest ${k} to ${label}`, run: () => p.addDest(svc, d), undo: () => p.deleteDest(svc, d) });
      else if (!sameDest(was, d)) steps.push({ label: `edit dest ${k} of ${label}`, run: () => p.editDest(svc, d), undo: () => p.editDest(svc, was) });
    }
    for (const [k, was] of before) {
      if (!after.has(k)) steps.push({ label: `delete dest ${k} of ${label}`, run: () => p.deleteDest(svc, was), undo: () => p.addDest(svc, was) });
    }
    return steps;
  }

  private deleteEntry(old: IpvsEntry): Step {
    const p = this.port;
    return {
      label: `delete service ${serviceKeyText(old.service)}`,
      run: () => p.deleteService(old.service),
      undo: async () => {
        await p.addService(old.service);
        for (const d of old.dests) await p.addDest(old.service, d);
      },
    };
  }
}
