/**
 * Packet capture inside a lab namespace. tcpdump captures (immediate mode, packet-buffered file,
 * one printed line per packet, so the live count is exact and nothing is lost on stop) into a
 * pcap file; tshark decodes the file: `-T json` for the packets, `-V` text on demand.
 * (dumpcap was tried first: its packets reach the file 0.5-2 s late and are lost when it is
 * stopped, which makes "wait until captured" slow and "stop" lossy.)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LabError, LabTimeoutError } from './errors.js';
import { assertCaptureToolsAvailable } from './preflight.js';
import { LabProcess } from './process.js';
import { runOk } from './run.js';

export interface CaptureOptions {
  /** tshark preferences for decoding, e.g. ['vrrp.v3_checksum_as_in_v2:TRUE'] (passed as -o). */
  readonly preferences?: readonly string[];
  /** How long tcpdump may take to start capturing. Default 10 000 ms. */
  readonly startTimeoutMs?: number;
  /** Decode with `-x`: each layer also as `<layer>_raw` ([hex bytes, offset, length, ...]). */
  readonly raw?: boolean;
}

/** One decoded packet: tshark's `_source.layers` (e.g. packet.arp['arp.src.hw_mac']). */
export type CapturedPacket = Record<string, unknown>;

export interface CaptureResult {
  readonly packets: readonly CapturedPacket[];
  /** The whole capture as `tshark -V` text (decoded on demand). */
  verbose(): Promise<string>;
}

const POLL_MS = 20;

export class Capture {
  readonly namespace: string;
  readonly iface: string;
  private readonly dir: string;
  private readonly file: string;
  private readonly proc: LabProcess;
  private readonly preferences: readonly string[];
  private readonly raw: boolean;
  private stopped: Promise<CaptureResult> | undefined;

  private constructor(namespace: string, iface: string, filter: string, options: CaptureOptions) {
    this.namespace = namespace;
    this.iface = iface;
    this.preferences = options.preferences ?? [];
    this.raw = options.raw === true;
    this.dir = mkdtempSync(join(tmpdir(), 'kts-capture-'));
    this.file = join(this.dir, 'capture.pcap');
    const args = ['-i', iface, '-n', '-Z', 'root', '--immediate-mode', '-U', '-l', '--print', '-w', this.file];
    this.proc = new LabProcess(namespace, 'tcpdump', filter ? [...args, filter] : args);
  }

  static async start(namespace: string, iface: string, filter: string, options: CaptureOptions = {}): Promise<Capture> {
    await assertCaptureToolsAvailable();
    const capture = new Capture(namespace, iface, filter, options);
    try {
      await capture.proc.waitForLine(/^tcpdump: listening on /, options.startTimeoutMs ?? 10_000, 'stderr');
    } catch (e) {
      await capture.discard();
      throw new LabError('LAB_CAPTURE_FAILED', `tcpdump did not start on ${namespace}/${iface}: ${(e as Error).message}`, { cause: e });
    }
    return capture;
  }

  /** Packets captured so far (one line each on tcpdump's stdout). */
  packetCount(): number {
    return this.proc.stdoutLines.length;
  }

  /** Resolves once at least `count` packets were captured. */
  async waitForPackets(count: number, timeoutMs = 5_000): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    while (this.packetCount() < count) {
      if (performance.now() > deadline || !this.proc.running) {
        throw new LabTimeoutError(`wait for ${count} packets on ${this.namespace}/${this.iface} (have ${this.packetCount()})`, timeoutMs);
      }
      await sleep(POLL_MS);
    }
  }

  /** Waits `settleMs` for in-flight packets, stops tcpdump and decodes the capture. Idempotent. */
  stop(settleMs = 50): Promise<CaptureResult> {
    this.stopped ??= this.stopAndDecode(settleMs);
    return this.stopped;
  }

  /** Stops tcpdump and removes the file (lab teardown). */
  async discard(): Promise<void> {
    await this.proc.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }

  killSync(): void {
    this.proc.killSync();
    rmSync(this.dir, { recursive: true, force: true });
  }

  private async stopAndDecode(settleMs: number): Promise<CaptureResult> {
    await sleep(settleMs);
    const status = await this.proc.stop(3_000);
    if (status.signal !== null && status.signal !== 'SIGTERM') {
      throw new LabError('LAB_CAPTURE_FAILED', `tcpdump died by ${status.signal}: ${this.proc.stderrText}`);
    }
    const json = await this.decode(['-T', 'json', '--no-duplicate-keys', ...(this.raw ? ['-x'] : [])]);
    let verbose: Promise<string> | undefined;
    return { packets: parsePackets(json), verbose: () => (verbose ??= this.decode(['-V'])) };
  }

  private async decode(extra: readonly string[]): Promise<string> {
    const prefs = this.preferences.flatMap((p) => ['-o', p]);
    const r = await runOk('tshark', ['-r', this.file, '-n', ...prefs, ...extra], { timeoutMs: 30_000 });
    return r.stdout;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function parsePackets(json: string): CapturedPacket[] {
  if (json.trim() === '') return [];
  const parsed = JSON.parse(json) as Array<{ _source?: { layers?: CapturedPacket } }>;
  return parsed.map((p) => p._source?.layers ?? {});
}

/** Every value of `key` anywhere in a decoded packet (tshark nests fields in *_tree objects). */
export function fieldValues(packet: unknown, key: string): unknown[] {
  const found: unknown[] = [];
  const visit = (node: unknown): void => {
    if (node === null || typeof node !== 'object') return;
    for (const [k, v] of Object.entries(node)) {
      if (k === key) {
        if (Array.isArray(v)) found.push(...v);
        else found.push(v);
      }
      visit(v);
    }
  };
  visit(packet);
  return found;
}

/** The first value of `key` in a decoded packet, as a string (undefined when absent). */
export function field(packet: unknown, key: string): string | undefined {
  const v = fieldValues(packet, key)[0];
  return v === undefined ? undefined : String(v);
}
