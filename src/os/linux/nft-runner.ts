/**
 * NftRunner: the Linux side of the nftables data plane's NftPort. Runs one JSON batch with
 * `nft -j -f FILE` through the asynchronous ProcessRunner (never blocks the event loop). nft
 * applies a file as one kernel transaction: all of it or none of it.
 *
 * The batch travels as nft's command-line argument (`nft -j 'JSON'`: nft parses the buffer as one
 * JSON batch, one transaction): no temporary file, no disk I/O on the DOWN path. `nft -f -` cannot
 * be used, since nft opens /dev/stdin and Node's stdin pipe is a socketpair (ENXIO). A batch over
 * the kernel's single-argument limit goes through a private temporary file (0600 in a 0700
 * directory, removed after the run).
 * `argvPrefix` lets a test or a namespaced daemon run nft elsewhere (`ip netns exec NS`).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NftPort, NftRunResult } from '../../lb/planes/nft-plane.js';
import type { ProcessRunner, RunOutcome } from './process-runner.js';

export interface NftRunnerOptions {
  /** Default `nft` (looked up along PATH). */
  readonly nftPath?: string;
  readonly argvPrefix?: readonly string[];
  readonly timeoutMs?: number;
}

export const DEFAULT_NFT_TIMEOUT_MS = 10_000;
/** Below Linux's MAX_ARG_STRLEN (32 pages = 128 KiB) for one argv string. */
export const MAX_ARGV_BATCH_BYTES = 120_000;

export class NftRunner implements NftPort {
  private dir: string | undefined;
  private seq = 0;

  constructor(private readonly runner: ProcessRunner, private readonly options: NftRunnerOptions = {}) {}

  /** One batch, one nft run: one kernel transaction. */
  async run(batch: unknown): Promise<NftRunResult> {
    const text = JSON.stringify(batch);
    if (Buffer.byteLength(text) <= MAX_ARGV_BATCH_BYTES) return toResult(await this.nft(['-j', text]));
    const file = await this.batchFile();
    try {
      await writeFile(file, text, { mode: 0o600 });
      return toResult(await this.nft(['-j', '-f', file]));
    } finally {
      await rm(file, { force: true });
    }
  }

  /** `nft --version`: whether nftables is usable here. */
  async probe(): Promise<NftRunResult & { readonly version?: string }> {
    const outcome = await this.nft(['--version']);
    const r = toResult(outcome);
    return r.ok ? { ...r, version: outcome.stdout.trim() } : r;
  }

  /** `nft -j list table inet NAME` parsed, or undefined when absent. */
  async listTable(table: string): Promise<unknown> {
    const outcome = await this.nft(['-j', 'list', 'table', 'inet', table]);
    if (outcome.kind !== 'exited' || outcome.exitCode !== 0) return undefined;
    return JSON.parse(outcome.stdout) as unknown;
  }

  async close(): Promise<void> {
    if (this.dir !== undefined) await rm(this.dir, { recursive: true, force: true });
    this.dir = undefined;
  }

  private async batchFile(): Promise<string> {
    this.dir ??= await mkdtemp(join(tmpdir(), 'keepalived-ts-nft-'));
    return join(this.dir, `batch-${process.pid}-${++this.seq}.json`);
  }

  private nft(args: readonly string[]): Promise<RunOutcome> {
    const argv = [...(this.options.argvPrefix ?? []), this.options.nftPath ?? 'nft', ...args];
    return this.runner.run({ argv, timeoutMs: this.options.timeoutMs ?? DEFAULT_NFT_TIMEOUT_MS, maxOutputBytes: 4 << 20 });
  }
}

function toResult(outcome: RunOutcome): NftRunResult {
  if (outcome.kind === 'exited' && outcome.exitCode === 0) return { ok: true };
  const why = outcome.kind === 'exited' ? `exit ${outcome.exitCode}`
    : outcome.kind === 'spawn-failed' ? `${outcome.code}: ${outcome.message}` : outcome.kind;
  const text = outcome.stderr.trim().split('\n').filter((l) => l.trim() !== '').slice(0, 4).join(' | ');
  return { ok: false, error: text !== '' ? `${why}: ${text}` : why };
}
