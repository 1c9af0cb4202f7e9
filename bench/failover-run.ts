/**
 * One failover run of the benchmark: in a three-host lab (h1, h2 = VRRP nodes, h3 = client),
 * h1 (priority 150) becomes master, h2 (priority 100) backup, both the same implementation; the
 * client probes the VIP over UDP every PROBE_INTERVAL_MS and the UDP responders on h1/h2 answer
 * with their name; then the master is stopped (SIGTERM) or its cable pulled, and the outage is
 * the gap between the last answer from h1 and the first answer from h2 (client receive times).
 */
import { fileURLToPath } from 'node:url';
import { AgentClient, type Lab, type LabProcess } from '../test/support/lab/index.js';
import { holdsAddress, lastOutput, logLines, sleep, startDaemon, stopDaemon, waitAddress, waitLog, type Daemon, type Impl, type InstanceSpec, type Scratch } from './failover-daemons.js';

export const PROBE_AGENT = fileURLToPath(new URL('../test/support/agents/bench-failover-probe.js', import.meta.url));
export const VIP = '192.0.2.100';
export const PORT = 7400;

export type Kind = 'graceful-stop' | 'link-down';

export interface Setting {
  readonly label: string;
  readonly version: 2 | 3;
  readonly advertInt: string;
}

export interface RunResult {
  readonly outageMs: number;
  /** First answer of the new master, counted from the trigger (SIGTERM sent / cable pulled). */
  readonly triggerToNewMs: number;
  /** Last answer of the old master, counted from the trigger (negative: before it). */
  readonly triggerToLastOldMs: number;
  /** From the old master's last advert seen on the client host to the trigger (the phase). */
  readonly advertToTriggerMs: number;
  /** The new master's "Entering MASTER STATE" log line reached us, counted from the trigger. */
  readonly triggerToMasterLogMs: number | null;
  /** Answers of the old master after the new one had answered (both answering: a flap). */
  readonly oldAnswersAfterNew: number;
  readonly probesSent: number;
  readonly answers: number;
  /** Where the time goes, from the wire (tcpdump on the client host, kernel timestamps). */
  readonly wire: WirePhases | null;
}

/** Phases of one failover on the wire, in ms (null when the packet was not seen). */
export interface WirePhases {
  /** Trigger -> the old master's priority-0 advert (graceful stop only). */
  readonly triggerToPriority0Ms: number | null;
  /** Priority-0 advert (or, link down, the old master's last advert) -> the new master's first advert. */
  readonly toNewAdvertMs: number | null;
  /** The new master's first advert -> its first gratuitous ARP for the VIP. */
  readonly newAdvertToGarpMs: number | null;
  /** Gratuitous ARP -> the client's first answer from the new master. */
  readonly garpToFirstAnswerMs: number | null;
}

interface ClientRun {
  readonly name: string;
  readonly first: number;
  readonly last: number;
  readonly count: number;
}

interface ClientDone {
  readonly sent: number;
  readonly received: number;
  readonly runs: readonly ClientRun[];
}

const MASTER = /\(VI_1\) Entering MASTER STATE/;
const BACKUP = /\(VI_1\) Entering BACKUP STATE/;

function round(x: number): number {
  return Math.round(x * 100) / 100;
}

function epochMs(): number {
  return performance.timeOrigin + performance.now();
}

export function advertMs(s: Setting): number {
  return Number(s.advertInt) * 1000;
}

function spec(s: Setting, priority: number): InstanceSpec {
  return { name: 'VI_1', vrid: 51, priority, version: s.version, advertInt: s.advertInt, vips: [`${VIP}/24`] };
}

/** Starts the UDP responders on h1 and h2 (once per lab; they outlive the daemons). */
export async function startResponders(lab: Lab): Promise<void> {
  for (const i of [1, 2]) {
    const h = lab.host(i);
    await h.execOk('sysctl', ['-q', '-w', 'net.ipv4.ip_nonlocal_bind=1']);
    const r = h.spawnNode(PROBE_AGENT, ['responder', `h${i}`, VIP, String(PORT)]);
    await r.waitForLine(/^ready$/, 5_000);
  }
}

/** `1764091234.567890 IP 192.0.2.1 > 224.0.0.18: VRRPv3, Advertisement, vrid 51, prio 150, ...` or an ARP line. */
const WIRE_LINE = /^(\d+\.\d+) (?:IP (\S+) > \S+: VRRPv\d, Advertisement, vrid \d+, prio (\d+)|ARP, (?:Request who-has (\S+)(?: \([^)]*\))? tell ([^\s,]+)|Reply ([^\s,]+) is-at))/;

interface WireEvent {
  readonly at: number;
  readonly kind: 'advert' | 'garp';
  readonly source: string;
  readonly priority: number;
}

function wireEvents(lines: readonly string[], from: number): WireEvent[] {
  const out: WireEvent[] = [];
  for (const line of lines) {
    const m = WIRE_LINE.exec(line);
    if (m === null) continue;
    const at = Number(m[1]) * 1000;
    if (at < from) continue;
    if (m[2] !== undefined) out.push({ at, kind: 'advert', source: m[2], priority: Number(m[3]) });
    else if (m[4] !== undefined && m[4] === m[5]) out.push({ at, kind: 'garp', source: m[4], priority: 0 });
    else if (m[6] !== undefined) out.push({ at, kind: 'garp', source: m[6], priority: 0 });
  }
  return out;
}

/** The phases of one failover from the wire log (old master h1, new master h2). */
export function wirePhases(lines: readonly string[], trigger: number, advertAt: number, oldSource: string, newSource: string, firstAnswerAt: number): WirePhases {
  const events = wireEvents(lines, advertAt - 50);
  const r = (x: number | undefined, y: number | undefined): number | null => (x === undefined || y === undefined ? null : round(y - x));
  const prio0 = events.find((e) => e.kind === 'advert' && e.source === oldSource && e.priority === 0 && e.at >= trigger - 5)?.at;
  const lastOld = events.filter((e) => e.kind === 'advert' && e.source === oldSource && e.priority > 0 && e.at <= (prio0 ?? Infinity)).at(-1)?.at;
  const newAdvert = events.find((e) => e.kind === 'advert' && e.source === newSource && e.at >= trigger)?.at;
  const garp = events.find((e) => e.kind === 'garp' && e.source === VIP && e.at >= trigger)?.at;
  return {
    triggerToPriority0Ms: r(trigger, prio0),
    toNewAdvertMs: r(prio0 ?? lastOld, newAdvert),
    newAdvertToGarpMs: r(newAdvert, garp),
    garpToFirstAnswerMs: r(garp, firstAnswerAt),
  };
}

export function computeOutage(done: ClientDone, trigger: number, masterLogAt: number | undefined, advertAt: number, wire: WirePhases | null = null): RunResult {
  const firstNew = done.runs.findIndex((r) => r.name === 'h2' && r.first > trigger);
  const newRun = done.runs[firstNew];
  if (newRun === undefined) throw new Error('the new master never answered');
  const old = done.runs.slice(0, firstNew).reverse().find((r) => r.name === 'h1');
  if (old === undefined) throw new Error('the old master never answered before the new one');
  const oldAfter = done.runs.slice(firstNew + 1).filter((r) => r.name === 'h1').reduce((n, r) => n + r.count, 0);
  return {
    outageMs: round(newRun.first - old.last),
    triggerToNewMs: round(newRun.first - trigger),
    triggerToLastOldMs: round(old.last - trigger),
    advertToTriggerMs: round(trigger - advertAt),
    triggerToMasterLogMs: masterLogAt === undefined ? null : round(masterLogAt - trigger),
    oldAnswersAfterNew: oldAfter,
    probesSent: done.sent,
    answers: done.received,
    wire,
  };
}

/**
 * tcpdump on the client host, printing every advert and ARP request with its kernel receive time
 * (once per lab, like the advert watch; lines are read after each run).
 */
export async function startWireLog(lab: Lab): Promise<LabProcess> {
  const p = lab.host(3).spawn('tcpdump', ['-i', 'eth0', '-n', '-tt', '-l', '--immediate-mode', '-B', '16384', 'ip proto 112 or arp']);
  await p.waitForLine(/listening on/, 10_000, 'stderr');
  return p;
}

/** A VRRP listener on the client host (lowlevel-agent vrrp-listen): adverts as JSON events. */
export async function startAdvertWatch(lab: Lab): Promise<AgentClient> {
  const watch = await AgentClient.start(lab.host(3), 'lowlevel-agent');
  await watch.call('vrrp-listen', { family: 4, ifname: 'eth0' });
  return watch;
}

/**
 * Resolves (with the epoch time it saw it) on the next advert from `source` printed after this
 * call, so that the trigger comes at a fixed phase of the master's advert cycle: just after an
 * advert, the worst case, the same for both implementations.
 */
function nextAdvert(watch: AgentClient, source: string, timeoutMs: number): Promise<number> {
  let skip = watch.process.stdoutLines.length;
  const match = (line: string): boolean => {
    if (skip > 0) {
      skip--;
      return false;
    }
    return line.includes('"event":"vrrp"') && line.includes(`"source":"${source}"`);
  };
  return watch.process.waitForLine(match, timeoutMs, 'stdout').then(() => epochMs());
}

export interface RunContext {
  readonly lab: Lab;
  readonly watch: AgentClient;
  readonly scratch: Scratch;
  readonly probeIntervalMs: number;
  /** tcpdump on the client host (startWireLog), for the phases of each run. */
  readonly wireLog?: LabProcess;
  /** Lines of the daemons' logs worth keeping (warnings about a setting), per run. */
  readonly notes: string[];
}

/** One repetition; throws with the reason (and the daemons' last output) when it cannot measure. */
export async function runOnce(ctx: RunContext, impl: Impl, s: Setting, kind: Kind, tag: string): Promise<RunResult> {
  const [h1, h2, h3] = [ctx.lab.host(1), ctx.lab.host(2), ctx.lab.host(3)];
  const adv = advertMs(s);
  const daemons: Daemon[] = [];
  let client: LabProcess | undefined;
  try {
    const a = startDaemon(impl, h1, ctx.scratch, [spec(s, 150)], `${tag}-h1`);
    daemons.push(a);
    await waitLog(a, MASTER, 8_000 + 5 * adv);
    await waitAddress(h1, VIP, true, 3_000);
    const b = startDaemon(impl, h2, ctx.scratch, [spec(s, 100)], `${tag}-h2`);
    daemons.push(b);
    await waitLog(b, BACKUP, 8_000);
    await sleep(Math.max(300, 3 * adv));
    if (logLines(b, MASTER).length > 0 || (await holdsAddress(h2, VIP))) {
      throw new Error(`${impl} backup became master before the trigger (unstable at advert_int ${s.advertInt})\n${lastOutput(b, 10)}`);
    }
    await h3.ip(['neigh', 'flush', 'dev', 'eth0']);
    client = h3.spawnNode(PROBE_AGENT, ['client', VIP, String(PORT), String(ctx.probeIntervalMs), String(30_000 + 10 * adv)]);
    await client.waitForLine(/^ready$/, 5_000);
    await client.waitForJson((m) => m['event'] === 'run' && m['name'] === 'h1', 3_000);
    await sleep(Math.max(500, 2 * adv));
    const advertAt = await nextAdvert(ctx.watch, h1.ipv4, 3_000 + 2 * adv);
    let masterLogAt: number | undefined;
    void b.proc.waitForLine(MASTER, 3_000 + 6 * adv).then(() => (masterLogAt = epochMs()), () => undefined);
    const trigger = epochMs();
    if (kind === 'graceful-stop') a.proc.signal('SIGTERM');
    else await h1.cableDown();
    const wireMark = ctx.wireLog?.stdoutLines.length ?? 0;
    await client.waitForJson((m) => m['event'] === 'run' && m['name'] === 'h2', 3_000 + 6 * adv).catch(() => {
      throw new Error(`${impl}: no answer from h2 within ${3_000 + 6 * adv} ms of ${kind}\n--- h2 ---\n${lastOutput(b, 10)}`);
    });
    await sleep(Math.max(300, 2 * adv));
    client.writeLine('stop');
    const done = await client.waitForJson<ClientDone>((m) => m['event'] === 'done', 5_000);
    const warn = [...logLines(a, /warn|invalid|unknown|error/i), ...logLines(b, /warn|invalid|unknown|error/i)];
    for (const line of warn.slice(0, 3)) ctx.notes.push(`${impl} ${s.label}: ${line.trim()}`);
    const firstNew = done.runs.find((r) => r.name === 'h2' && r.first > trigger)?.first ?? NaN;
    const wire = ctx.wireLog === undefined ? null : wirePhases(ctx.wireLog.stdoutLines.slice(Math.max(0, wireMark - 200)), trigger, advertAt, h1.ipv4, h2.ipv4, firstNew);
    return computeOutage(done, trigger, masterLogAt, advertAt, wire);
  } finally {
    if (client?.running) await client.stop(1_000);
    await Promise.allSettled(daemons.map((d) => stopDaemon(d)));
    await h1.cableUp().catch(() => undefined);
    for (const h of [h1, h2]) {
      if (await holdsAddress(h, VIP).catch(() => false)) await h.ip(['addr', 'del', `${VIP}/24`, 'dev', 'eth0']).catch(() => undefined);
    }
  }
}
