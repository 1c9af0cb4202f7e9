/**
 * One test host of the lab: a network namespace with `lo` and one interface `eth0` plugged into
 * the lab bridge, 192.0.2.i/24 + 2001:db8::i/64, no default route. Commands run through
 * `ip netns exec`; long-running processes are tracked so that the lab stops them on teardown.
 */
import { LabError } from './errors.js';
import { LabProcess } from './process.js';
import { run, runOk, type RunOptions, type RunResult } from './run.js';

export interface HostInit {
  readonly index: number;
  readonly namespace: string;
  readonly bridgeNamespace: string;
  readonly bridgePort: string;
  readonly ipv4: string;
  readonly ipv6: string;
  readonly mac: string;
}

export interface Neighbour {
  readonly dst: string;
  readonly dev: string;
  readonly lladdr?: string;
  readonly state: readonly string[];
}

export class LabHost {
  readonly index: number;
  /** Name of the network namespace (for `ip netns exec`, `ip -n`). */
  readonly namespace: string;
  readonly ifname = 'eth0';
  readonly ipv4: string;
  readonly ipv6: string;
  readonly ipv4PrefixLength = 24;
  readonly ipv6PrefixLength = 64;
  readonly mac: string;
  /** The EUI-64 link-local address the kernel derives from `mac` (fe80::6b:74ff:fe00:i). */
  readonly linkLocal: string;
  private readonly bridgeNamespace: string;
  private readonly bridgePort: string;
  private readonly processes = new Set<LabProcess>();
  private destroyed = false;

  constructor(init: HostInit) {
    this.index = init.index;
    this.namespace = init.namespace;
    this.bridgeNamespace = init.bridgeNamespace;
    this.bridgePort = init.bridgePort;
    this.ipv4 = init.ipv4;
    this.ipv6 = init.ipv6;
    this.mac = init.mac;
    this.linkLocal = eui64LinkLocal(init.mac);
  }

  /** Runs a command in this host; resolves with exit code and output (rejects only on timeout). */
  exec(cmd: string, args: readonly string[] = [], options: RunOptions = {}): Promise<RunResult> {
    this.assertAlive();
    return run('ip', ['netns', 'exec', this.namespace, cmd, ...args], options);
  }

  /** Like exec, but rejects with LabCommandError unless the command exits 0. */
  execOk(cmd: string, args: readonly string[] = [], options: RunOptions = {}): Promise<RunResult> {
    this.assertAlive();
    return runOk('ip', ['netns', 'exec', this.namespace, cmd, ...args], options);
  }

  /** `ip -n NS args...` (faster than exec of `ip`: no extra exec). */
  ip(args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
    this.assertAlive();
    return runOk('ip', ['-n', this.namespace, ...args], options);
  }

  /** Starts a long-running process in this host; the lab stops it (by PID) on teardown. */
  spawn(cmd: string, args: readonly string[] = [], env?: Readonly<Record<string, string>>): LabProcess {
    this.assertAlive();
    const proc = new LabProcess(this.namespace, cmd, args, env);
    this.processes.add(proc);
    void proc.exited.then(() => this.processes.delete(proc));
    return proc;
  }

  /** Starts `node <script> args...` (e.g. an agent from dist/test/support/agents). */
  spawnNode(script: string, args: readonly string[] = []): LabProcess {
    return this.spawn(process.execPath, [script, ...args]);
  }

  /** Administrative down/up of an interface of this host (default eth0). */
  async linkDown(ifname: string = this.ifname): Promise<void> {
    await this.ip(['link', 'set', ifname, 'down']);
  }

  async linkUp(ifname: string = this.ifname): Promise<void> {
    await this.ip(['link', 'set', ifname, 'up']);
  }

  /** Pulls the cable: the bridge-side end goes down, so eth0 loses carrier but stays admin up. */
  async cableDown(): Promise<void> {
    await runOk('ip', ['-n', this.bridgeNamespace, 'link', 'set', this.bridgePort, 'down']);
  }

  async cableUp(): Promise<void> {
    await runOk('ip', ['-n', this.bridgeNamespace, 'link', 'set', this.bridgePort, 'up']);
  }

  async ifindex(ifname: string = this.ifname): Promise<number> {
    const links = await this.ipJson(['link', 'show', 'dev', ifname]);
    const index = links[0]?.['ifindex'];
    if (typeof index !== 'number') throw new LabError('LAB_COMMAND_FAILED', `no ifindex for ${ifname} in ${this.namespace}`);
    return index;
  }

  /** Addresses on an interface, as "addr/prefixlen" strings (`ip -j addr show dev`). */
  async addresses(ifname: string = this.ifname): Promise<string[]> {
    const links = await this.ipJson(['addr', 'show', 'dev', ifname]);
    const infos = (links[0]?.['addr_info'] ?? []) as Array<Record<string, unknown>>;
    return infos.map((a) => `${String(a['local'])}/${String(a['prefixlen'])}`);
  }

  /** Neighbour table (`ip -j neigh show`), optionally only entries for `dst`. */
  async neighbours(dst?: string): Promise<Neighbour[]> {
    const entries = await this.ipJson(['neigh', 'show', ...(dst === undefined ? [] : ['to', dst])]);
    return entries.map((e) => ({
      dst: String(e['dst']),
      dev: String(e['dev']),
      ...(typeof e['lladdr'] === 'string' ? { lladdr: e['lladdr'] } : {}),
      state: Array.isArray(e['state']) ? e['state'].map(String) : [],
    }));
  }

  /** Runs `ip -j ...` in this host and parses the JSON array. */
  async ipJson(args: readonly string[]): Promise<Array<Record<string, unknown>>> {
    const r = await this.ip(['-j', ...args]);
    const text = r.stdout.trim();
    if (text === '') return [];
    const parsed: unknown = JSON.parse(text);
    return Array.isArray(parsed) ? (parsed as Array<Record<string, unknown>>) : [];
  }

  /** Every process inside this host's namespace (`ip netns pids`), whoever started it. */
  async namespacePids(): Promise<number[]> {
    const r = await runOk('ip', ['netns', 'pids', this.namespace]);
    return r.stdout.split(/\s+/).filter((s) => /^\d+$/.test(s)).map(Number);
  }

  /** PIDs of the live processes this host spawned. */
  processIds(): number[] {
    return [...this.processes].filter((p) => p.running).map((p) => p.pid);
  }

  /** Stops every process this host spawned (SIGTERM, then SIGKILL after graceMs). */
  async stopAll(graceMs = 1_000): Promise<void> {
    await Promise.all([...this.processes].map((p) => p.stop(graceMs)));
    this.processes.clear();
  }

  killAllSync(): void {
    for (const p of this.processes) p.killSync();
    this.processes.clear();
  }

  markDestroyed(): void {
    this.destroyed = true;
  }

  private assertAlive(): void {
    if (this.destroyed) throw new LabError('LAB_DESTROYED', `host ${this.index} (${this.namespace}) was destroyed`);
  }
}

function eui64LinkLocal(mac: string): string {
  const b = mac.split(':').map((h) => parseInt(h, 16));
  const word = (hi: number, lo: number): string => (((hi << 8) | lo) >>> 0).toString(16);
  const [m0 = 0, m1 = 0, m2 = 0, m3 = 0, m4 = 0, m5 = 0] = b;
  return `fe80::${word(m0 ^ 0x02, m1)}:${word(m2, 0xff)}:${word(0xfe, m3)}:${word(m4, m5)}`;
}
